/// A node's state: the base state (`IDLE`, `MIXED`, …) plus flags (`DRAIN`, `NOT_RESPONDING`, …).
///
/// 22.05 writes `"state": "mixed", "state_flags": ["DRAIN"]`; 24.11 writes `"state": ["MIXED", "DRAIN"]`.
public struct SlurmNodeState: Sendable, Hashable {
    public enum Base: String, Sendable, CaseIterable {
        case unknown, down, idle, allocated, error, mixed, future
    }

    public var base: Base
    /// Flags in upper case as Slurm spells them.
    public var flags: Set<String>

    public init(base: Base, flags: Set<String> = []) {
        self.base = base
        self.flags = flags
    }

    static let baseNames: [String: Base] = [
        "UNKNOWN": .unknown, "DOWN": .down, "IDLE": .idle, "ALLOCATED": .allocated, "ALLOC": .allocated,
        "ERROR": .error, "MIXED": .mixed, "MIX": .mixed, "FUTURE": .future,
    ]

    static let knownFlags: Set<String> = [
        "DRAIN", "COMPLETING", "NOT_RESPONDING", "NO_RESPOND", "POWERED_DOWN", "POWER_DOWN", "POWERING_DOWN",
        "POWERING_UP", "POWER_UP", "FAIL", "MAINTENANCE", "MAINT", "REBOOT_REQUESTED", "REBOOT_ISSUED", "REBOOT",
        "RESERVED", "RESV", "PLANNED", "CLOUD", "DYNAMIC_FUTURE", "DYNAMIC_NORM", "INVALID_REG", "POWER_DRAIN",
        "UNDRAIN", "RESUME", "BLOCKED", "PERFCTRS", "INVALID", "NET", "RES",
    ]

    /// Reads the state names of either dialect; an unknown name is an error at `keyPath`.
    public init(names: [String], keyPath: String) throws(SchedulerError) {
        var base: Base?
        var flags: Set<String> = []
        for raw in names {
            let name = raw.uppercased()
            if let known = Self.baseNames[name] {
                base = known
            } else if Self.knownFlags.contains(name) {
                flags.insert(name)
            } else {
                throw SchedulerError(
                    .unknownState,
                    "unknown node state \"\(raw)\"; known base states: "
                        + Self.baseNames.keys.sorted().joined(separator: ", "),
                    keyPath: keyPath)
            }
        }
        self.init(base: base ?? .unknown, flags: flags)
    }

    /// The state as `sinfo -o %T` names it: `drained`/`draining`, `down`, `fail`/`failing`,
    /// `maint`, `mixed`, `allocated`, `idle`, …
    public var sinfoName: String {
        let busy = base == .allocated || base == .mixed
        if flags.contains("DRAIN") { return busy ? "draining" : (base == .down ? "down" : "drained") }
        if flags.contains("FAIL") { return busy ? "failing" : "fail" }
        if base == .down { return "down" }
        if flags.contains("MAINTENANCE") || flags.contains("MAINT") { return "maint" }
        if flags.contains("REBOOT_REQUESTED") || flags.contains("REBOOT_ISSUED") { return "reboot" }
        if flags.contains("POWERED_DOWN") || flags.contains("POWER_DOWN") { return "powered_down" }
        if flags.contains("RESERVED") || flags.contains("RESV") { return "reserved" }
        if flags.contains("COMPLETING") { return "completing" }
        if flags.contains("PLANNED") { return "planned" }
        return base.rawValue
    }

    /// Whether the node cannot take new work (drained, draining, down, failing, not responding).
    public var isUnavailable: Bool {
        base == .down || base == .error || flags.contains("DRAIN") || flags.contains("FAIL")
            || flags.contains("NOT_RESPONDING") || flags.contains("NO_RESPOND")
    }
}
