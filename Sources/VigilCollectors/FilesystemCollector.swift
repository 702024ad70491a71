import VigilModel

/// `node_filesystem_*{device,fstype,mountpoint}` for every mounted filesystem, from the mount table
/// (`/proc/1/mounts`, else `/proc/mounts`) and `statvfs`. Pseudo filesystems and mounts under
/// `/dev`, `/proc`, `/sys` and container storage are skipped, as node_exporter does by default.
/// A mount whose `statvfs` hangs (a dead NFS server) reports `node_filesystem_device_error 1` and is
/// skipped until the call returns (see ``MountStatter``).
public struct FilesystemCollector: Collector {
    public let name = "filesystem"
    public let mountPointExclude: DeviceFilter
    public let fsTypeExclude: DeviceFilter
    public let statter: MountStatter

    public static let defaultMountPointExclude =
        #"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"#
    public static let defaultFSTypeExclude =
        #"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"#

    public init(
        mountPointExclude: DeviceFilter = DeviceFilter(exclude: Self.defaultMountPointExclude)!,
        fsTypeExclude: DeviceFilter = DeviceFilter(exclude: Self.defaultFSTypeExclude)!,
        statter: MountStatter = MountStatter()
    ) {
        self.mountPointExclude = mountPointExclude
        self.fsTypeExclude = fsTypeExclude
        self.statter = statter
    }

    struct Mount: Equatable {
        var device: String
        var mountPoint: String
        var fsType: String
        var options: [Substring]
    }

    public func collect(into output: inout CollectorOutput) {
        let candidates = [output.paths.proc("1/mounts"), output.paths.proc("mounts")]
        guard let (path, table) = output.readFirstText(of: candidates) else { return }
        for mount in mounts(in: table, path: path, output: &output) {
            let labels: Labels = ["device": mount.device, "fstype": mount.fsType, "mountpoint": mount.mountPoint]
            let path = output.paths.root(mount.mountPoint)
            let stats: MountStatistics
            switch statter.statistics(of: path, fsType: mount.fsType) {
            case .statistics(let answer):
                stats = answer
            case .failed(let message):
                deviceError(path, message, labels, &output)
                continue
            case .timedOut:
                deviceError(
                    path, "statvfs did not return in time (hung mount?); skipped until it does", labels, &output)
                continue
            case .stillStuck:
                deviceError(path, "statvfs still has not returned; skipped", labels, &output)
                continue
            }
            output.metrics.gauge(
                "node_filesystem_size_bytes", help: "Filesystem size in bytes.", labels: labels,
                value: stats.blocks * stats.blockSize)
            output.metrics.gauge(
                "node_filesystem_free_bytes", help: "Filesystem free space in bytes.", labels: labels,
                value: stats.freeBlocks * stats.blockSize)
            output.metrics.gauge(
                "node_filesystem_avail_bytes", help: "Filesystem space available to non-root users in bytes.",
                labels: labels, value: stats.availableBlocks * stats.blockSize)
            output.metrics.gauge(
                "node_filesystem_files", help: "Filesystem total file nodes.", labels: labels, value: stats.files)
            output.metrics.gauge(
                "node_filesystem_files_free", help: "Filesystem total free file nodes.", labels: labels,
                value: stats.freeFiles)
            output.metrics.gauge(
                "node_filesystem_readonly", help: "Filesystem read-only status.", labels: labels,
                value: mount.options.contains("ro") ? 1 : 0)
            output.metrics.gauge(
                "node_filesystem_device_error",
                help: "Whether an error occurred while getting statistics for the given device.",
                labels: labels, value: 0)
        }
    }

    private func deviceError(_ path: String, _ message: String, _ labels: Labels, _ output: inout CollectorOutput) {
        output.report(path, message)
        output.metrics.gauge(
            "node_filesystem_device_error",
            help: "Whether an error occurred while getting statistics for the given device.",
            labels: labels, value: 1)
    }

    /// Parses the mount table, drops excluded mounts and keeps the last of duplicate (device, mount point)
    /// pairs, since a later mount shadows an earlier one at the same place.
    func mounts(in table: String, path: String, output: inout CollectorOutput) -> [Mount] {
        var result: [Mount] = []
        var indexByKey: [String: Int] = [:]
        for (lineIndex, line) in table.lines.enumerated() {
            let parts = line.fields
            guard parts.count >= 4 else {
                output.report(path, "line \(lineIndex + 1): expected at least 4 fields, got \(parts.count)")
                continue
            }
            let mount = Mount(
                device: Self.unescapeOctal(parts[0]), mountPoint: Self.unescapeOctal(parts[1]),
                fsType: String(parts[2]), options: parts[3].split(separator: ","))
            if mountPointExclude.excludes(mount.mountPoint) || fsTypeExclude.excludes(mount.fsType) { continue }
            let key = mount.device + "\u{0}" + mount.mountPoint
            if let index = indexByKey[key] {
                result[index] = mount
            } else {
                indexByKey[key] = result.count
                result.append(mount)
            }
        }
        return result
    }

    /// The kernel writes space, tab, newline and backslash in mount fields as `\040`, `\011`, `\012`, `\134`.
    static func unescapeOctal(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 4 <= utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)..<(index + 4)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
