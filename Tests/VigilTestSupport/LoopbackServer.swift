import Hummingbird
import Logging

/// A Hummingbird application on a free loopback port for the length of a test: the fake API servers
/// (Kubernetes, slurmrestd) that clients are tested against.
public enum LoopbackServer {
    /// Serves `router` on 127.0.0.1 (a port the system picks) while `body` runs with the base URL
    /// (`http://127.0.0.1:PORT`), then runs `beforeStop` and stops the server.
    public static func serve<Result: Sendable>(
        _ router: Router<BasicRequestContext>, label: String, beforeStop: @escaping @Sendable () -> Void = {},
        _ body: @Sendable (String) async throws -> Result
    ) async throws -> Result {
        let (started, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var port = 0
            for await value in started {
                port = value
                break
            }
            let result = try await body("http://127.0.0.1:\(port)")
            beforeStop()
            group.cancelAll()
            return result
        }
    }
}
