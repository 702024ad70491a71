import AsyncHTTPClient
import NIOCore

/// The HTTP client integrations and the Alertmanager forwarder use unless given one: a refused
/// connection fails the attempt at once (AsyncHTTPClient's shared client would keep reconnecting until
/// the deadline), because the notification pipeline and the forwarder own the retries.
public enum ReceiverHTTPClient {
    /// Lives as long as the process; never shut down.
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        configuration.redirectConfiguration = .follow(max: 10, allowCycles: false)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
