/// The one error type of VigilScrape: a ``Code`` to branch and count on, a message a person can act on
/// (naming the limit, the position in the body, the file), and the underlying cause when there is one.
///
/// A target's `lastError` in the status API is this error's ``description``.
public struct ScrapeError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The HTTP request failed: connection refused, TLS, a non-2xx status, a bad URL.
        case http
        /// The scrape took longer than `scrape_timeout`.
        case timeout
        /// The body is not a valid exposition; the message carries line and column.
        case parse
        /// A configured limit was exceeded; the message names it (`sample_limit`, `label_limit`,
        /// `label_name_length_limit`, `label_value_length_limit`, `body_size_limit`, `target_limit`).
        case limitExceeded
        /// The storage refused the scrape's samples for a reason other than their timestamps.
        case storage
        /// An in-process source's `collect()` threw.
        case source
        /// A target that discovery found cannot be scraped as labelled (no address, a bad interval).
        case invalidTarget
        /// A file_sd file could not be read or parsed.
        case discovery
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }
}

extension ScrapeError {
    static func limit(_ message: String) -> ScrapeError { ScrapeError(.limitExceeded, message) }
}
