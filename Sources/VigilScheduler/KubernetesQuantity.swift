/// A Kubernetes resource quantity (`"3920m"`, `"16385492Ki"`, `"1.5Gi"`, `"2e3"`, `"8"`) and its value
/// in base units (cores, bytes, devices).
///
/// The API serves quantities as strings; a bare JSON number is accepted too. A string that is not a
/// quantity is a decoding error at its key path.
public struct KubernetesQuantity: Sendable, Equatable, Decodable, CustomStringConvertible {
    /// The resource name of NVIDIA GPUs exposed by the device plugin.
    public static let gpuResource = "nvidia.com/gpu"

    /// The text as served.
    public var text: String
    /// The value in base units: `"3920m"` is 3.92, `"1Ki"` is 1024.
    public var value: Double

    public init?(_ text: String) {
        guard let value = Self.parse(text) else { return nil }
        self.text = text
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            text = String(number)
            value = number
            return
        }
        let text = try container.decode(String.self)
        guard let value = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a Kubernetes quantity (e.g. 500m, 4Gi, 8)")
        }
        self.text = text
        self.value = value
    }

    public var description: String { text }

    private static let binarySuffixes: [String: Double] = [
        "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824, "Ti": 1_099_511_627_776,
        "Pi": 1_125_899_906_842_624, "Ei": 1_152_921_504_606_846_976,
    ]
    private static let decimalSuffixes: [String: Double] = [
        "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    ]

    /// Kubernetes' quantity grammar: a signed decimal number, then a binary suffix, a decimal suffix or
    /// a decimal exponent (`e3`, `E-2`).
    static func parse(_ text: String) -> Double? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var number = ""
        if index < scalars.count, scalars[index] == "+" || scalars[index] == "-" {
            number.unicodeScalars.append(scalars[index])
            index += 1
        }
        var digits = 0
        var sawPoint = false
        while index < scalars.count {
            let scalar = scalars[index]
            if ("0"..."9").contains(scalar) {
                digits += 1
            } else if scalar == ".", !sawPoint {
                sawPoint = true
            } else {
                break
            }
            number.unicodeScalars.append(scalar)
            index += 1
        }
        guard digits > 0, let mantissa = Double(number) else { return nil }
        let suffix = String(String.UnicodeScalarView(scalars[index...]))
        if let multiplier = binarySuffixes[suffix] ?? decimalSuffixes[suffix] { return mantissa * multiplier }
        guard let first = suffix.first, first == "e" || first == "E", let exponent = Int(suffix.dropFirst()),
            abs(exponent) <= 308
        else { return nil }
        return Double("\(number)e\(exponent)") ?? nil
    }
}
