import Synchronization

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs `nvidia-smi` and collects its output within a deadline.
///
/// A hung nvidia-smi is common on a sick GPU (it waits on a driver lock, often uninterruptibly), so the
/// child gets its own process group, output is read with `poll` against the deadline rather than by threads
/// that block until end of file, and on timeout the whole group is killed. A child that doesn't die even then
/// (stuck in the kernel) is remembered: no new nvidia-smi starts until it has gone, so a stuck driver can't
/// pile one process up per collection.
final class NvidiaSMIRunner: Sendable {
    /// How a run ended.
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// Reaped by someone else (SIGCHLD ignored in this process): the status is gone.
        case unknown
    }

    struct Output: Sendable {
        var termination: Termination
        var stdout: [UInt8]
        var stderr: [UInt8]
    }

    /// nvidia-smi -q -x prints about 20 KiB per GPU (with supported clocks, up to 100 KiB).
    let maxOutputBytes: Int
    let maxErrorBytes = 64 * 1024
    /// How long a killed child gets to be reaped before it is left as a straggler.
    let killGrace: Duration
    private let stragglers = Mutex<[pid_t]>([])

    init(maxOutputBytes: Int = 64 << 20, killGrace: Duration = .seconds(1)) {
        self.maxOutputBytes = maxOutputBytes
        self.killGrace = killGrace
    }

    /// Runs `executable` with `arguments`, stdin from /dev/null; throws ``GPUError/Code/callFailed`` when it
    /// can't start, outlives `timeout`, or prints more than ``maxOutputBytes``.
    func run(_ executable: String, arguments: [String], timeout: Duration) throws(GPUError) -> Output {
        try checkStragglers(executable)
        let deadline = ContinuousClock.now + timeout
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        defer {
            for fd in stdoutPipe + stderrPipe where fd >= 0 { close(fd) }
        }
        guard Self.makePipe(&stdoutPipe), Self.makePipe(&stderrPipe) else {
            throw GPUError(.callFailed, "cannot run \(executable): pipe failed (\(Self.errorText(errno)))")
        }
        let pid = try Self.spawn(executable, arguments, stdout: stdoutPipe[1], stderr: stderrPipe[1])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        stdoutPipe[1] = -1
        stderrPipe[1] = -1

        var output = Output(termination: .unknown, stdout: [], stderr: [])
        var descriptors = [
            pollfd(fd: stdoutPipe[0], events: Int16(POLLIN), revents: 0),
            pollfd(fd: stderrPipe[0], events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while descriptors.contains(where: { $0.fd >= 0 }) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw timedOut(pid, executable, timeout) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), Self.milliseconds(remaining))
            if ready < 0 {
                guard errno == EINTR else {
                    let error = Self.errorText(errno)
                    _ = timedOut(pid, executable, timeout)
                    throw GPUError(.callFailed, "reading the output of \(executable) failed: poll: \(error)")
                }
                continue
            }
            for slot in descriptors.indices where descriptors[slot].fd >= 0 && descriptors[slot].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptors[slot].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if slot == 0 {
                        output.stdout.append(contentsOf: buffer[0..<count])
                        guard output.stdout.count <= maxOutputBytes else {
                            _ = timedOut(pid, executable, timeout)
                            throw GPUError(
                                .callFailed, "\(executable) printed more than \(maxOutputBytes) bytes; killed it")
                        }
                    } else if output.stderr.count < maxErrorBytes {
                        output.stderr.append(contentsOf: buffer[0..<min(count, maxErrorBytes - output.stderr.count)])
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    // End of file, or an error that reading again won't fix.
                    close(descriptors[slot].fd)
                    if slot == 0 { stdoutPipe[0] = -1 } else { stderrPipe[0] = -1 }
                    descriptors[slot].fd = -1
                }
            }
        }
        guard let termination = Self.waitForExit(pid, until: deadline) else {
            throw timedOut(pid, executable, timeout)
        }
        output.termination = termination
        return output
    }

    /// Kills the child's process group, reaps it if it dies within ``killGrace``, and describes the timeout.
    private func timedOut(_ pid: pid_t, _ executable: String, _ timeout: Duration) -> GPUError {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        if Self.waitForExit(pid, until: .now + killGrace) == nil {
            stragglers.withLock { $0.append(pid) }
        }
        return GPUError(
            .callFailed,
            "\(executable) did not finish within \(Self.seconds(timeout)) and was killed: a hung nvidia-smi usually "
                + "means a GPU or the driver is stuck (check dmesg for Xid errors)")
    }

    /// Reaps the children killed earlier; throws while one is still alive.
    private func checkStragglers(_ executable: String) throws(GPUError) {
        let alive = stragglers.withLock { pids -> [pid_t] in
            pids.removeAll { pid in
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                return result == pid || (result < 0 && errno == ECHILD)
            }
            return pids
        }
        if let pid = alive.first {
            throw GPUError(
                .callFailed,
                "\(executable) (pid \(pid)) was killed after hanging and has not exited yet; not starting another "
                    + "until it does: the driver or a GPU is stuck")
        }
    }

    // MARK: Processes

    private static func spawn(
        _ executable: String, _ arguments: [String], stdout: Int32, stderr: Int32
    ) throws(GPUError) -> pid_t {
        #if canImport(Darwin)
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #else
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        #if canImport(Darwin)
            // Only 0, 1 and 2 reach the child.
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
            // Descriptors this process opened without close-on-exec (a listening socket…) must not be held open
            // by a child that may hang for hours.
            for fd in inheritedDescriptors() where fd > 2 && fd != stdout && fd != stderr {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
        #endif
        posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        // Servers ignore SIGPIPE; ignored signals survive exec, so give the child the defaults back.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigmask(&attributes, &noMask)

        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        var result: Int32 = 0
        // ETXTBSY: the file is open for writing somewhere, typically for an instant (being installed, or its
        // writer's descriptor briefly inherited by a child another thread is starting). Try again shortly.
        for attempt in 0..<5 {
            result = (argv + [nil]).withUnsafeBufferPointer { argv in
                posix_spawn(&pid, executable, &actions, &attributes, argv.baseAddress!, environment())
            }
            guard result == ETXTBSY else { break }
            usleep(UInt32(10_000 << attempt))
        }
        switch result {
        case 0:
            return pid
        case ENOENT, ENOTDIR:
            throw GPUError(.unavailable, "\(executable) not found: is the NVIDIA driver installed?")
        case EACCES, ENOEXEC:
            throw GPUError(.unavailable, "cannot execute \(executable): \(errorText(result))")
        default:
            throw GPUError(.callFailed, "cannot start \(executable): \(errorText(result))")
        }
    }

    /// Waits for `pid` to exit, without blocking past `deadline`; nil when it is still running then.
    private static func waitForExit(_ pid: pid_t, until deadline: ContinuousClock.Instant) -> Termination? {
        var pause: UInt32 = 1000
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return termination(status) }
            if result < 0, errno != EINTR { return .unknown }
            if ContinuousClock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    /// `WIFEXITED`/`WEXITSTATUS`/`WTERMSIG`, which Swift doesn't import (they are macros).
    private static func termination(_ status: Int32) -> Termination {
        let signal = status & 0x7F
        if signal == 0 { return .exited((status >> 8) & 0xFF) }
        return signal == 0x7F ? .unknown : .signaled(signal)
    }

    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        // pipe2(O_CLOEXEC) isn't imported on every platform; the parent's ends must not leak into other children.
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    #if !canImport(Darwin)
        /// This process's open descriptors without close-on-exec, from /proc/self/fd.
        private static func inheritedDescriptors() -> [Int32] {
            guard let directory = opendir("/proc/self/fd") else { return [] }
            var fds: [Int32] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                    tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                        String(cString: $0)
                    }
                }
                if let fd = Int32(name) { fds.append(fd) }
            }
            closedir(directory)
            return fds.filter { fd in
                let flags = fcntl(fd, F_GETFD)
                return flags >= 0 && flags & FD_CLOEXEC == 0
            }
        }
    #endif

    private static func environment() -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        #if canImport(Darwin)
            return _NSGetEnviron().pointee
        #else
            return environ
        #endif
    }

    // MARK: Executables on PATH

    /// The first executable called `name` in the directories of `searchPath` (a PATH value).
    static func find(_ name: String, searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    static func environmentValue(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    // MARK: Formatting

    static func errorText(_ code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        // poll's timeout is an Int32 of milliseconds: cap at a day, round up so the deadline has passed on wake.
        let (seconds, attoseconds) = duration.components
        return Int32(min(max(seconds, 0), 86_400) * 1000 + max(attoseconds, 0) / 1_000_000_000_000_000 + 1)
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var milliseconds = String(attoseconds / 1_000_000_000_000_000 + 1000).dropFirst()
        while milliseconds.last == "0" { milliseconds = milliseconds.dropLast() }
        return milliseconds.isEmpty ? "\(seconds) s" : "\(seconds).\(milliseconds) s"
    }
}
