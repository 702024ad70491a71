import VigilAlerting

/// A configured text field (a template in Alertmanager's configuration) made concrete for one
/// notification.
///
/// Plain text is used as written. Text with template actions (`{{ … }}`) needs the template engine,
/// which is not wired into the receivers yet: such a field fails the notification with a clear,
/// non-retryable error rather than sending the raw template.
enum NotificationText {
    static func render(_ text: String, field: String, data: NotificationData) throws(NotifyError) -> String {
        guard text.contains("{{") else { return text }
        throw NotifyError(
            retryable: false,
            "\(field) holds a template (\(text.prefix(60))…), which this build does not render yet; "
                + "leave the field empty for Alertmanager's default or write plain text")
    }
}
