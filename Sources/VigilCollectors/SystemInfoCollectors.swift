import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `node_uname_info{sysname,release,version,machine,nodename,domainname}` from uname(2).
public struct UnameCollector: Collector {
    public let name = "uname"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        var info = utsname()
        guard uname(&info) == 0 else {
            output.report("uname(2)", String(cString: strerror(errno)))
            return
        }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        output.metrics.gauge(
            "node_uname_info", help: "Labeled system information as provided by the uname system call.",
            labels: [
                "sysname": field(info.sysname), "release": field(info.release), "version": field(info.version),
                "machine": field(info.machine), "nodename": field(info.nodename),
                "domainname": field(info.__domainname),
            ],
            value: 1)
    }
}

/// `node_os_info` and `node_os_version` from os-release (`/etc/os-release`, else `/usr/lib/os-release`).
public struct OSReleaseCollector: Collector {
    public let name = "os"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let candidates = [output.paths.root("/etc/os-release"), output.paths.root("/usr/lib/os-release")]
        guard let (_, text) = output.readFirstText(of: candidates, optional: true) else { return }
        let release = Self.parse(text)
        output.metrics.gauge(
            "node_os_info",
            help:
                "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
            labels: Labels(
                [
                    "build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant",
                    "variant_id", "version", "version_codename", "version_id",
                ].map { Label($0, release[$0.uppercased()] ?? "") }),
            value: 1)
        output.metrics.gauge(
            "node_os_version", help: "Metric containing the major.minor part of the OS version.",
            labels: ["id": release["ID"] ?? "", "id_like": release["ID_LIKE"] ?? "", "name": release["NAME"] ?? ""],
            value: Self.majorMinor(release["VERSION_ID"] ?? ""))
    }

    /// KEY=VALUE lines, values optionally quoted with `"` or `'`.
    static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.lines {
            let trimmed = line.trimmingSpaces
            guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var value = trimmed[trimmed.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            result[String(trimmed[..<equals])] = value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return result
    }

    /// "22.04" → 22.04, "12" → 12, "9.2.1" → 9.2, anything else → 0.
    static func majorMinor(_ version: String) -> Double {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard let major = parts.first, !major.isEmpty, major.allSatisfy(\.isASCIIDigit) else { return 0 }
        if parts.count > 1, !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit) {
            return Double("\(major).\(parts[1])") ?? 0
        }
        return Double(major) ?? 0
    }
}

/// `node_time_seconds`: the host's clock, so clock skew between nodes is visible.
public struct TimeCollector: Collector {
    public let name = "time"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        output.metrics.gauge(
            "node_time_seconds", help: "System time in seconds since epoch (1970).",
            value: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9)
    }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        String(self).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
