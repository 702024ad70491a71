import VigilModel

/// `/api/v1/status/buildinfo`: Prometheus's fields, filled from Vigil's build.
///
/// Deliberately without Mimir's `features` field: Grafana takes a server that sends one for Mimir and
/// starts calling a ruler API that is not there.
public struct BuildInfo: Sendable, Hashable {
    public var version: String
    public var revision: String
    public var branch: String
    public var buildUser: String
    public var buildDate: String
    /// Prometheus reports its Go version here; Vigil reports its Swift compiler.
    public var goVersion: String

    public init(
        version: String = VigilVersion.current, revision: String = "unknown", branch: String = "unknown",
        buildUser: String = "unknown", buildDate: String = "unknown", goVersion: String = BuildInfo.compilerVersion
    ) {
        self.version = version
        self.revision = revision
        self.branch = branch
        self.buildUser = buildUser
        self.buildDate = buildDate
        self.goVersion = goVersion
    }

    /// The Swift compiler this was built with, e.g. `swift6.3`.
    public static var compilerVersion: String {
        #if compiler(>=6.4)
            "swift6.4"
        #elseif compiler(>=6.3)
            "swift6.3"
        #elseif compiler(>=6.2)
            "swift6.2"
        #else
            "swift6"
        #endif
    }
}

/// `/api/v1/status/runtimeinfo`, with Prometheus 3's fields (the Go runtime's ones describe Vigil's process
/// where there is an equivalent: threads for goroutines, active processors for `GOMAXPROCS`).
public struct RuntimeInfo: Sendable, Hashable {
    /// Milliseconds since the epoch.
    public var startTime: Int64
    public var cwd: String
    public var hostname: String
    public var serverTime: Int64
    public var reloadConfigSuccess: Bool
    public var lastConfigTime: Int64
    public var corruptionCount: Int64
    public var goroutineCount: Int
    public var gomaxprocs: Int
    public var gomemlimit: Int64
    public var gogc: String
    public var godebug: String
    /// As Prometheus writes it, e.g. `15d` or `15d or 512MiB`.
    public var storageRetention: String

    public init(
        startTime: Int64, cwd: String, hostname: String, serverTime: Int64, reloadConfigSuccess: Bool = true,
        lastConfigTime: Int64, corruptionCount: Int64 = 0, goroutineCount: Int = 0, gomaxprocs: Int = 0,
        gomemlimit: Int64 = Int64.max, gogc: String = "", godebug: String = "", storageRetention: String
    ) {
        self.startTime = startTime
        self.cwd = cwd
        self.hostname = hostname
        self.serverTime = serverTime
        self.reloadConfigSuccess = reloadConfigSuccess
        self.lastConfigTime = lastConfigTime
        self.corruptionCount = corruptionCount
        self.goroutineCount = goroutineCount
        self.gomaxprocs = gomaxprocs
        self.gomemlimit = gomemlimit
        self.gogc = gogc
        self.godebug = godebug
        self.storageRetention = storageRetention
    }
}
