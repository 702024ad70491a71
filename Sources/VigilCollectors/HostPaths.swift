/// Where the host's kernel interfaces live; tests point these at fixture trees.
///
/// The same idea as node_exporter's `--path.procfs`, `--path.sysfs`, `--path.rootfs`, `--path.udev.data`:
/// an agent in a container reads the host through bind mounts.
public struct HostPaths: Sendable, Equatable {
    public var procfs: String
    public var sysfs: String
    public var rootfs: String
    public var udevData: String

    public init(
        procfs: String = "/proc", sysfs: String = "/sys", rootfs: String = "/", udevData: String = "/run/udev/data"
    ) {
        self.procfs = procfs
        self.sysfs = sysfs
        self.rootfs = rootfs
        self.udevData = udevData
    }

    /// A tree laid out like a host under one directory: `ROOT/proc`, `ROOT/sys`, `ROOT/run/udev/data`.
    public static func underRoot(_ root: String) -> HostPaths {
        HostPaths(procfs: root + "/proc", sysfs: root + "/sys", rootfs: root, udevData: root + "/run/udev/data")
    }

    func proc(_ relative: String) -> String { procfs + "/" + relative }
    func sys(_ relative: String) -> String { sysfs + "/" + relative }

    /// `path` (absolute on the host) as seen under ``rootfs``.
    func root(_ path: String) -> String {
        rootfs == "/" ? path : rootfs + path
    }
}
