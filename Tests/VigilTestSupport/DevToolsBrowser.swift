import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Headless Chromium driven over the Chrome DevTools Protocol for browser tests.
///
/// The browser is started with `--remote-debugging-pipe`: it reads commands from file descriptor 3 and writes
/// answers and events to descriptor 4, one JSON message each, ended by a NUL byte (no WebSocket, no port).
/// Every command and every wait has a timeout; ``stop()`` (also run on deinit) ends the browser and every
/// process it started (they share a process group).
///
/// ```swift
/// let browser = try DevToolsBrowser.launch()
/// let page = try await browser.openPage()
/// try await page.navigate(to: "http://127.0.0.1:9470/")
/// let title = try await page.evaluate("document.title", as: String.self)
/// ```
public final class DevToolsBrowser: @unchecked Sendable {
    /// The names the browser is found under on PATH, first match wins.
    public static let executableNames = ["chromium", "chromium-browser", "google-chrome"]

    /// The browser's full path, or nil when none is installed.
    public static var executablePath: String? { executableNames.lazy.compactMap { ExternalTools.path(of: $0) }.first }

    /// True when a browser test should run: a browser is installed, or this is CI (where its absence fails).
    public static var shouldRun: Bool { ExternalTools.isCI || executablePath != nil }

    /// How long a command may take before it fails.
    public let timeout: Duration
    public let processID: pid_t
    /// The browser's own output (stdout and stderr), for failure messages.
    public let logPath: String
    private let profile: String
    private let commandFD: Int32
    private let eventFD: Int32
    private let lock = NSLock()
    /// Separate from `lock`: a write that blocks on a full pipe must not stop the reader from taking events.
    private let writeLock = NSLock()
    private var nextID = 1
    private var pending: [Int: CheckedContinuation<Data, any Error>] = [:]
    private var events: [DevToolsEvent] = []
    private var exited = false
    private var stopped = false

    /// Starts headless Chromium with a profile of its own and a `width`×`height` window.
    public static func launch(
        executable: String? = nil, width: Int = 1400, height: Int = 1000, timeout: Duration = .seconds(30)
    ) throws -> DevToolsBrowser {
        guard let path = executable ?? executablePath else {
            throw TestFailure(
                "no Chromium on PATH (looked for \(executableNames.joined(separator: ", "))); "
                    + "apt-get install -y chromium")
        }
        return try DevToolsBrowser(executable: path, width: width, height: height, timeout: timeout)
    }

    private init(executable: String, width: Int, height: Int, timeout: Duration) throws {
        self.timeout = timeout
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-chromium-\(UUID().uuidString)")
        profile = base.path
        logPath = base.path + ".log"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
            "--user-data-dir=\(profile)", "--window-size=\(width),\(height)", "--remote-debugging-pipe",
            "about:blank",
        ]
        // Two pipes, moved (close-on-exec) above the descriptors the child is given so that dup2 onto 3 and 4
        // cannot clobber them.
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
            throw TestFailure("pipe failed: errno \(errno)")
        }
        let high = [toBrowser[0], toBrowser[1], fromBrowser[0], fromBrowser[1]].map { fd -> Int32 in
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 100)
            close(fd)
            return moved
        }
        let (childIn, commands, events, childOut) = (high[0], high[1], high[2], high[3])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_adddup2(&actions, childIn, 3)
        posix_spawn_file_actions_adddup2(&actions, childOut, 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (stop() ends the renderers too), no blocked signals inherited from the test runner.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(childIn)
        close(childOut)
        guard status == 0 else {
            close(commands)
            close(events)
            throw TestFailure("cannot start \(executable): posix_spawn error \(status)")
        }
        processID = pid
        commandFD = commands
        eventFD = events
        let thread = Thread { [weak self] in self?.readLoop(fd: events) }
        thread.name = "DevTools reader"
        thread.start()
    }

    deinit { stop() }

    /// The browser's output so far (its last `limit` characters), for failure messages.
    public func logTail(_ limit: Int = 3000) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(limit))
    }

    /// Sends `method` with `params` (to the page session `sessionID`, or to the browser) and returns the
    /// `result` object's JSON; a protocol error or no answer within ``timeout`` throws.
    @discardableResult
    public func send(_ method: String, _ params: [String: any Sendable] = [:], sessionID: String? = nil)
        async throws -> Data
    {
        var message: [String: Any] = ["method": method, "params": params]
        if let sessionID { message["sessionId"] = sessionID }
        let id: Int = lock.withLock {
            defer { nextID += 1 }
            return nextID
        }
        message["id"] = id
        var bytes = try JSONSerialization.data(withJSONObject: message)
        bytes.append(0)
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
            let failure: String? = lock.withLock {
                if exited || stopped { return "the browser is not running" }
                pending[id] = continuation
                return nil
            }
            if let failure {
                continuation.resume(throwing: TestFailure("\(method): \(failure)\n\(logTail())"))
                return
            }
            if !writeAll(bytes) {
                fail(id, "\(method): cannot write to the browser (errno \(errno))")
                return
            }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in
                self?.fail(id, "\(method): no answer from the browser within \(seconds) s")
            }
        }
        guard let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
            throw TestFailure("\(method): an answer that is not a JSON object")
        }
        if let error = object["error"] as? [String: Any] {
            throw TestFailure(
                "\(method) failed: \(error["message"] ?? "?") (code \(error["code"] ?? "?")) \(error["data"] ?? "")")
        }
        return try JSONSerialization.data(withJSONObject: object["result"] ?? [String: Any]())
    }

    /// Opens a new tab (`width`×`height`) and attaches to it, with page, runtime and log events enabled.
    public func openPage(width: Int = 1400, height: Int = 1000) async throws -> DevToolsPage {
        let created = try Self.object(
            try await send("Target.createTarget", ["url": "about:blank"]))
        guard let targetID = created["targetId"] as? String else { throw TestFailure("Target.createTarget: no id") }
        let attached = try Self.object(
            try await send("Target.attachToTarget", ["targetId": targetID, "flatten": true]))
        guard let sessionID = attached["sessionId"] as? String else {
            throw TestFailure("Target.attachToTarget: no session")
        }
        let page = DevToolsPage(browser: self, targetID: targetID, sessionID: sessionID)
        try await send("Page.enable", sessionID: sessionID)
        try await send("Runtime.enable", sessionID: sessionID)
        try await send("Log.enable", sessionID: sessionID)
        try await send(
            "Emulation.setDeviceMetricsOverride",
            ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], sessionID: sessionID)
        return page
    }

    /// The number of events received so far: pass it to ``waitForEvent(_:sessionID:after:timeout:)`` to wait
    /// only for an event that comes after this moment.
    public var eventCount: Int { lock.withLock { events.count } }

    /// The events received so far (after the `after`-th), optionally only those of one session.
    public func events(sessionID: String? = nil, after: Int = 0) -> [DevToolsEvent] {
        lock.withLock { events.dropFirst(after).filter { sessionID == nil || $0.sessionID == sessionID } }
    }

    /// Waits for the first event `method` (of `sessionID`) after the `after`-th event; throws after `timeout`.
    @discardableResult
    public func waitForEvent(
        _ method: String, sessionID: String? = nil, after: Int, timeout: Duration? = nil
    ) async throws -> DevToolsEvent {
        let deadline = ContinuousClock.now + (timeout ?? self.timeout)
        while true {
            if let event = events(sessionID: sessionID, after: after).first(where: { $0.method == method }) {
                return event
            }
            if lock.withLock({ exited }) { throw TestFailure("the browser exited:\n\(logTail())") }
            if ContinuousClock.now > deadline {
                throw TestFailure("no \(method) within \(timeout ?? self.timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Ends the browser and its child processes (SIGTERM to its process group, SIGKILL after 3 s) and removes
    /// its profile. Safe to call more than once.
    public func stop() {
        let waiting: [CheckedContinuation<Data, any Error>] = lock.withLock {
            if stopped { return [] }
            stopped = true
            defer { pending = [:] }
            return Array(pending.values)
        }
        if processID > 0 {
            kill(-processID, SIGTERM)
            var status: Int32 = 0
            var reaped = false
            for _ in 0..<150 {
                let result = waitpid(processID, &status, WNOHANG)
                if result == processID || (result == -1 && errno == ECHILD) {
                    reaped = true
                    break
                }
                usleep(20_000)
            }
            kill(-processID, SIGKILL)
            if !reaped { _ = waitpid(processID, &status, 0) }
        }
        close(commandFD)
        for continuation in waiting { continuation.resume(throwing: TestFailure("the browser was stopped")) }
        try? FileManager.default.removeItem(atPath: profile)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    static func object(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return object
    }

    private func writeAll(_ bytes: Data) -> Bool {
        writeLock.lock()
        defer { writeLock.unlock() }
        return bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = write(commandFD, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    private func fail(_ id: Int, _ message: String) {
        let continuation = lock.withLock { pending.removeValue(forKey: id) }
        continuation?.resume(throwing: TestFailure(message))
    }

    /// Reads NUL-separated messages until the browser closes its end: answers go to their waiting command,
    /// events into ``events``.
    private func readLoop(fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var message = Data()
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var start = 0
            for index in 0..<count where buffer[index] == 0 {
                message.append(contentsOf: buffer[start..<index])
                handle(message)
                message.removeAll(keepingCapacity: true)
                start = index + 1
            }
            message.append(contentsOf: buffer[start..<count])
        }
        close(fd)
        let waiting: [CheckedContinuation<Data, any Error>] = lock.withLock {
            exited = true
            defer { pending = [:] }
            return Array(pending.values)
        }
        for continuation in waiting {
            continuation.resume(throwing: TestFailure("the browser exited:\n\(logTail())"))
        }
    }

    private func handle(_ message: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any] else { return }
        if let id = object["id"] as? Int {
            let continuation = lock.withLock { pending.removeValue(forKey: id) }
            continuation?.resume(returning: message)
            return
        }
        guard let method = object["method"] as? String else { return }
        let params = (try? JSONSerialization.data(withJSONObject: object["params"] ?? [String: Any]())) ?? Data()
        lock.withLock {
            events.append(
                DevToolsEvent(
                    sequence: events.count, method: method, sessionID: object["sessionId"] as? String, params: params))
        }
    }
}

/// One protocol event: its method (`Page.loadEventFired`, `Runtime.consoleAPICalled`, …), the page session it
/// came from and its parameters as JSON.
public struct DevToolsEvent: Sendable {
    public var sequence: Int
    public var method: String
    public var sessionID: String?
    public var params: Data

    /// The parameters as a JSON object (empty when they are not one).
    public var object: [String: Any] { (try? DevToolsBrowser.object(params)) ?? [:] }
}
