/// How `nvidia-smi -q -x` writes values: a number and a unit as text (`66.92 W`, `40960 MiB`, `0 KB/s`,
/// `16x`), or a word where there is no number (`N/A`, `[N/A]`, `[Not Supported]`, `Unknown Error`,
/// `Requested functionality has been deprecated`). Every reader here answers nil for a word, for a unit it
/// does not know, and for a number that isn't finite.
extension NvidiaSMIXML {
    enum Value {
        static let mebibyte = 1_048_576.0

        /// NVML's PCIe throughput is "KB/s" (a byte counter sampled over 20 ms). NVIDIA does not say which
        /// kilo; NVML's older documentation wrote "MB" for what nvidia-smi now prints as "MiB", so KB is read
        /// as 1024 bytes. (The difference, 2.4 %, is below the noise of a 20 ms sample.)
        static let kilobyte = 1024.0

        /// The leading decimal number of `text` and what follows it, trimmed: "66.92 W" → (66.92, "W").
        static func quantity(_ text: String?) -> (number: Double, unit: Substring)? {
            guard let text else { return nil }
            let scalars = Substring(text).unicodeScalars
            var position = scalars.startIndex
            while position < scalars.endIndex, scalars[position] == " " || scalars[position] == "\t" {
                position = scalars.index(after: position)
            }
            let numberStart = position
            if position < scalars.endIndex, scalars[position] == "-" || scalars[position] == "+" {
                position = scalars.index(after: position)
            }
            var digits = 0
            var sawPoint = false
            while position < scalars.endIndex {
                let scalar = scalars[position]
                if scalar >= "0" && scalar <= "9" {
                    digits += 1
                } else if scalar == ".", !sawPoint {
                    sawPoint = true
                } else {
                    break
                }
                position = scalars.index(after: position)
            }
            guard digits > 0, let number = Double(String(scalars[numberStart..<position])), number.isFinite else {
                return nil
            }
            var unit = Substring(scalars[position...]).drop { $0 == " " || $0 == "\t" }
            while let last = unit.last, last == " " || last == "\t" { unit = unit.dropLast() }
            return (number, unit)
        }

        /// A number with no unit ("0", "14").
        static func count(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text), unit.isEmpty else { return nil }
            return number
        }

        /// A whole number with no unit.
        static func integer(_ text: String?) -> Int? {
            count(text).flatMap { Int(exactly: $0) }
        }

        static func percent(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text), unit == "%" || unit.isEmpty else { return nil }
            return number
        }

        static func megahertz(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text) else { return nil }
            switch unit {
            case "MHz", "": return number
            case "GHz": return number * 1000
            default: return nil
            }
        }

        static func watts(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text) else { return nil }
            switch unit {
            case "W": return number
            case "mW": return number / 1000
            default: return nil
            }
        }

        static func celsius(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text), unit == "C" || unit == "°C" else { return nil }
            return number
        }

        /// Memory in bytes. nvidia-smi prints MiB; drivers before the switch printed "MB" meaning the same.
        static func bytes(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text) else { return nil }
            switch unit {
            case "B": return number
            case "KiB", "KB": return number * 1024
            case "MiB", "MB": return number * mebibyte
            case "GiB", "GB": return number * mebibyte * 1024
            default: return nil
            }
        }

        static func bytesPerSecond(_ text: String?) -> Double? {
            guard let (number, unit) = quantity(text) else { return nil }
            switch unit {
            case "B/s": return number
            case "KB/s", "KiB/s": return number * kilobyte
            case "MB/s", "MiB/s": return number * kilobyte * kilobyte
            default: return nil
            }
        }

        /// A PCIe link width, "16x".
        static func linkWidth(_ text: String?) -> Int? {
            guard let (number, unit) = quantity(text), unit == "x" || unit.isEmpty else { return nil }
            return Int(exactly: number)
        }

        /// "P0" … "P15".
        static func performanceState(_ text: String?) -> Int? {
            guard let text, text.hasPrefix("P"), let state = Int(text.dropFirst()), (0...15).contains(state) else {
                return nil
            }
            return state
        }

        /// "Yes" / "No".
        static func yesNo(_ text: String?) -> Bool? {
            switch text {
            case "Yes": return true
            case "No": return false
            default: return nil
            }
        }

        /// "Enabled" / "Disabled".
        static func enabled(_ text: String?) -> Bool? {
            switch text {
            case "Enabled": return true
            case "Disabled": return false
            default: return nil
            }
        }

        /// "Active" / "Not Active".
        static func active(_ text: String?) -> Bool? {
            switch text {
            case "Active": return true
            case "Not Active": return false
            default: return nil
            }
        }

        /// Text that names something (a serial, a version): nil for nvidia-smi's placeholders.
        static func name(_ text: String?) -> String? {
            guard let text, !text.isEmpty, !isPlaceholder(text) else { return nil }
            return text
        }

        /// `N/A`, `[N/A]`, `[Not Supported]`, `Unknown Error`, `[Unknown Error]`, `Requested functionality …`.
        static func isPlaceholder(_ text: String) -> Bool {
            if text.hasPrefix("[") && text.hasSuffix("]") { return true }
            switch text {
            case "N/A", "Unknown Error", "Not Supported", "Insufficient Permissions", "GPU is lost", "None":
                return true
            default:
                return text.hasPrefix("Requested functionality")
            }
        }

        /// The sum of the values that are there; nil when none is.
        static func sum(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +)
        }
    }
}
