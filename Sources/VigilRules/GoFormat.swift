/// The few Go formatting routines promtool's output is made of.
enum GoFormat {
    /// `strconv.FormatFloat(v, 'E', -1, 64)`: the shortest digits that round-trip, as `d.dddE±dd`.
    static func exponent(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0E+00" : "0E+00" }
        var text = "\(value.magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var integer = text
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            integer = String(text[..<dot])
            fraction = String(text[text.index(after: dot)...])
        }
        var digits = Array(integer + fraction)
        exponent += integer.count - 1
        while digits.first == "0" {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.count > 1 && digits.last == "0" { digits.removeLast() }
        var out = value < 0 ? "-" : ""
        out.append(digits[0])
        if digits.count > 1 { out += "." + String(digits[1...]) }
        let magnitude = abs(exponent)
        out += (exponent < 0 ? "E-" : "E+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        return out
    }

    /// `time.Duration.String` for milliseconds: `0s`, `500ms`, `1m0s`, `1h0m0s`, `1.5s`.
    static func duration(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        let negative = milliseconds < 0
        let ms = milliseconds.magnitude
        var out = negative ? "-" : ""
        if ms < 1000 { return out + "\(ms)ms" }
        let hours = ms / 3_600_000
        let minutes = ms / 60_000 % 60
        let seconds = ms / 1000 % 60
        let fraction = ms % 1000
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += "\(seconds)"
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            out += "." + digits
        }
        return out + "s"
    }

    /// `filepath.Join(dir, file)` for a relative `file`, cleaned as Go cleans paths.
    static func join(_ directory: String, _ file: String) -> String {
        if file.hasPrefix("/") || directory.isEmpty { return clean(file) }
        return clean(directory + "/" + file)
    }

    /// `filepath.Clean`.
    static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == ".." && absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `filepath.Dir`.
    static func directory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : clean(dir)
    }
}
