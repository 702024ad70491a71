/// The forwarder's counters, for `/metrics` (Prometheus's `prometheus_notifications_*`).
public struct AlertmanagerForwarderStatistics: Sendable, Hashable {
    /// Alerts delivered, per Alertmanager URL (`prometheus_notifications_sent_total`).
    public var sent: [String: Int]
    /// Alerts in batches that failed after the retries, per Alertmanager URL
    /// (`prometheus_notifications_errors_total`).
    public var errors: [String: Int]
    /// Alerts dropped: pushed out of a full queue, or in a batch no Alertmanager took
    /// (`prometheus_notifications_dropped_total`).
    public var dropped: Int
    /// Alerts waiting (`prometheus_notifications_queue_length`).
    public var queueLength: Int
    /// `prometheus_notifications_queue_capacity`.
    public var queueCapacity: Int
    /// Alertmanagers being sent to (`prometheus_notifications_alertmanagers_discovered`).
    public var alertmanagers: Int

    public init(
        sent: [String: Int] = [:], errors: [String: Int] = [:], dropped: Int = 0, queueLength: Int = 0,
        queueCapacity: Int = 0, alertmanagers: Int = 0
    ) {
        self.sent = sent
        self.errors = errors
        self.dropped = dropped
        self.queueLength = queueLength
        self.queueCapacity = queueCapacity
        self.alertmanagers = alertmanagers
    }
}
