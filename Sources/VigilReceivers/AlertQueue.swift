/// The forwarder's bounded queue, as Prometheus's notifier manager keeps it: new alerts go to the back,
/// a full queue drops its oldest alerts, batches leave from the front. A plain value; the forwarder
/// guards it with a lock.
struct AlertQueue: Sendable {
    let capacity: Int
    private(set) var alerts: [ForwardedAlert] = []
    private var head = 0

    init(capacity: Int) {
        precondition(capacity > 0, "queue capacity must be positive")
        self.capacity = capacity
    }

    var count: Int { alerts.count - head }

    /// Appends `new`; returns how many old alerts were dropped to make room (or new ones, when more
    /// arrive at once than the queue holds: only the newest `capacity` are kept).
    mutating func enqueue(_ new: [ForwardedAlert]) -> Int {
        var dropped = 0
        var incoming = new[...]
        if incoming.count > capacity {
            dropped += incoming.count - capacity
            incoming = incoming.suffix(capacity)
        }
        let overflow = count + incoming.count - capacity
        if overflow > 0 {
            head += overflow
            dropped += overflow
        }
        compact()
        alerts.append(contentsOf: incoming)
        return dropped
    }

    /// Up to `maximum` alerts from the front.
    mutating func dequeue(maximum: Int) -> [ForwardedAlert] {
        let end = min(head + maximum, alerts.count)
        let batch = Array(alerts[head..<end])
        head = end
        compact()
        return batch
    }

    private mutating func compact() {
        if head > 0 && (head == alerts.count || head >= capacity) {
            alerts.removeFirst(head)
            head = 0
        }
    }
}
