#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who a process belongs to: its user, and the container, Slurm job and Kubernetes pod its cgroup names.
///
/// NVML reports host PIDs, so `procRoot` must be the host's /proc (mount it, e.g. at /host/proc, when
/// Vigil runs in a container without the host PID namespace).
public struct ProcessAttribution: Sendable, Equatable {
    /// The command name (/proc/<pid>/comm).
    public var name: String?
    /// The user name of the real UID, or the UID as a number when it has no name.
    public var user: String?
    /// A 64-hex-digit Docker, containerd, CRI-O or Podman container id.
    public var containerID: String?
    /// The Slurm job id (numeric, as text).
    public var slurmJobID: String?
    /// The Kubernetes pod UID with dashes ("0f5e…-…").
    public var kubernetesPodUID: String?

    public init(
        name: String? = nil, user: String? = nil, containerID: String? = nil, slurmJobID: String? = nil,
        kubernetesPodUID: String? = nil
    ) {
        self.name = name
        self.user = user
        self.containerID = containerID
        self.slurmJobID = slurmJobID
        self.kubernetesPodUID = kubernetesPodUID
    }

    /// Reads /proc/<pid>/cgroup, status and comm under `procRoot`; fields it can't read stay nil.
    public static func read(pid: Int, procRoot: String = "/proc") -> ProcessAttribution {
        let directory = "\(procRoot)/\(pid)"
        var attribution = readFile("\(directory)/cgroup").map(ProcessAttribution.init(cgroup:)) ?? ProcessAttribution()
        attribution.name = readFile("\(directory)/comm").map { String($0.prefix { $0 != "\n" }) }
        if let status = readFile("\(directory)/status"), let uid = realUID(status: status) {
            attribution.user = userName(uid: uid) ?? String(uid)
        }
        return attribution
    }

    /// Fills a process's attribution fields from this one.
    public func apply(to process: inout GPUProcess) {
        process.name = name ?? process.name
        process.user = user ?? process.user
        process.containerID = containerID ?? process.containerID
        process.slurmJobID = slurmJobID ?? process.slurmJobID
        process.kubernetesPodUID = kubernetesPodUID ?? process.kubernetesPodUID
    }

    // MARK: - Parsing

    /// Parses the text of /proc/<pid>/cgroup (v1 lines "id:controllers:path", v2 line "0::path").
    ///
    /// Each field comes from the deepest path component that names it, preferring the v2 line, since a
    /// nested container's own id is the innermost one.
    public init(cgroup: String) {
        self.init()
        var paths: [Substring] = []
        for line in cgroup.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty {
                paths.insert(parts[2], at: 0)
            } else {
                paths.append(parts[2])
            }
        }
        for path in paths {
            let components = path.split(separator: "/")
            containerID = containerID ?? components.lazy.reversed().compactMap(Self.containerID(component:)).first
            slurmJobID = slurmJobID ?? components.lazy.reversed().compactMap(Self.slurmJobID(component:)).first
            if path.contains("kubepods") {
                kubernetesPodUID =
                    kubernetesPodUID ?? components.lazy.reversed().compactMap(Self.podUID(component:)).first
            }
        }
    }

    /// "<64 hex>", or "<runtime>-<id>.scope" for docker, cri-containerd, crio, libpod (Podman) and nerdctl.
    static func containerID(component: Substring) -> String? {
        var name = component
        if name.hasSuffix(".scope") { name = name.dropLast(".scope".count) }
        if let dash = name.lastIndex(of: "-") {
            let prefix = name[..<dash]
            // conmon, CRI-O's monitor, sits in a scope of its own named after the container; it's not the container.
            guard ["docker", "cri-containerd", "crio", "libpod", "nerdctl"].contains(prefix) else { return nil }
            name = name[name.index(after: dash)...]
        }
        guard name.utf8.count == 64, name.utf8.allSatisfy(\.isLowercaseHexDigit) else { return nil }
        return String(name)
    }

    /// "job_12345" (Slurm's cgroup v1 and v2 layouts both name the job so).
    static func slurmJobID(component: Substring) -> String? {
        guard component.hasPrefix("job_") else { return nil }
        let id = component.dropFirst("job_".count)
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return String(id)
    }

    /// "pod<uid>" (cgroupfs driver) or "kubepods-<qos>-pod<uid with _>.slice" (systemd driver).
    static func podUID(component: Substring) -> String? {
        var name = component
        if name.hasSuffix(".slice") {
            // The UID's dashes are underscores here, so the pod part is the last dash-separated one.
            guard name.hasPrefix("kubepods-"), let pod = name.split(separator: "-").last, pod.hasPrefix("pod") else {
                return nil
            }
            name = pod.dropFirst("pod".count).dropLast(".slice".count)
        } else {
            guard name.hasPrefix("pod") else { return nil }
            name = name.dropFirst("pod".count)
        }
        let uid = String(name).replacingUnderscores()
        // A UID (36 chars with dashes) or a static pod's config hash (32 hex digits).
        guard uid.utf8.count >= 32, uid.utf8.allSatisfy({ $0.isLowercaseHexDigit || $0 == UInt8(ascii: "-") }) else {
            return nil
        }
        return uid
    }

    /// The real UID: the first number of status's "Uid:" line.
    static func realUID(status: String) -> UInt32? {
        for line in status.split(separator: "\n") where line.hasPrefix("Uid:") {
            return line.dropFirst("Uid:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                .flatMap { UInt32($0) }
        }
        return nil
    }

    /// The passwd name for a UID (getpwuid_r, so it's thread-safe), nil when there is none.
    static func userName(uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = buffer.withUnsafeMutableBufferPointer { buffer in
            getpwuid_r(uid_t(uid), &entry, buffer.baseAddress!, buffer.count, &result)
        }
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    /// A small text file's contents (procfs files report size 0, so read until EOF).
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { readFileDescriptor(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// read(2), under a name that the static `read(pid:procRoot:)` doesn't shadow.
private func readFileDescriptor(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

extension UInt8 {
    fileprivate var isLowercaseHexDigit: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9"))
            || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
