#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small, allocation-light POSIX file access for procfs and sysfs (whose files report size 0).
enum HostFile {
    /// Reads a whole file as UTF-8 (invalid bytes repaired).
    static func readText(_ path: String) throws(HostFileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HostFileError(path: path, errno: errno) }
        defer { close(fd) }
        // Most procfs and sysfs files fit one page: read into a stack buffer, copy once into the String.
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) {
            (chunk) throws(HostFileError) -> String in
            var bytes: [UInt8] = []
            while true {
                let count = read(fd, chunk.baseAddress, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw HostFileError(path: path, errno: errno)
                }
                if count == 0 { break }
                if bytes.isEmpty && count < chunk.count {
                    // Short read: usually the whole file. Check for EOF before copying.
                    let next = read(fd, chunk.baseAddress! + count, chunk.count - count)
                    if next == 0 {
                        return String(decoding: UnsafeBufferPointer(rebasing: chunk[0..<count]), as: UTF8.self)
                    }
                    if next < 0 { throw HostFileError(path: path, errno: errno) }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<(count + next)]))
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<count]))
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// A sysfs attribute: the file's text without surrounding whitespace.
    static func readValue(_ path: String) throws(HostFileError) -> String {
        try readText(path).trimmingSpaces
    }

    /// Directory entries except `.` and `..`, sorted by name.
    static func listDirectory(_ path: String) throws(HostFileError) -> [String] {
        guard let directory = opendir(path) else { throw HostFileError(path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The target of a symbolic link, or nil when `path` is not a link.
    static func readLink(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) {
                readlink(path, $0, pointer.count - 1)
            }
        }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}

/// A failed system call on a host file, with errno.
struct HostFileError: Error {
    var path: String
    var errno: Int32

    var isMissingFile: Bool { errno == ENOENT || errno == ENOTDIR }
}

extension CollectorIssue {
    init(_ error: HostFileError) {
        self.init(path: error.path, message: String(cString: strerror(error.errno)))
    }
}

extension [CollectorIssue] {
    mutating func append(_ error: HostFileError) {
        append(CollectorIssue(error))
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// Fields separated by runs of spaces or tabs (split on bytes: much cheaper than on Characters).
    var fields: [Substring] {
        Substring(self).utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { Substring($0) }
    }

    /// Non-empty lines.
    var lines: [Substring] {
        Substring(self).utf8.split(separator: 0x0A).map { Substring($0) }
    }
}
