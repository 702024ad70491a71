/// Go's `strconv.AppendFloat(buf, v, 'f' or 'e', -1, 64)`: the shortest decimal digits that read back as the
/// same `Double`, laid out in fixed or exponent notation the way Go does it.
enum GoFloat {
    /// Appends `value`. With `exponentOutsideFixedRange`, magnitudes below 1e-6 or from 1e21 on use Go's `'e'`
    /// form (`1e-07`, `1.5e+21`), as Prometheus's `MarshalFloat` and Go's JSON encoder do; without it the
    /// `'f'` form is used throughout, as for scalar results.
    static func append(_ value: Double, to buffer: inout [UInt8], exponentOutsideFixedRange: Bool) {
        if value.isNaN {
            buffer.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "a"), UInt8(ascii: "N")])
            return
        }
        if value.isInfinite {
            buffer.append(value < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            buffer.append(contentsOf: [UInt8(ascii: "I"), UInt8(ascii: "n"), UInt8(ascii: "f")])
            return
        }
        if value.sign == .minus { buffer.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        // Integers below 2^53 print as their digits in either form up to 1e21: the common case, done without
        // looking for shortest digits.
        if magnitude < 9_007_199_254_740_992, magnitude == magnitude.rounded(.towardZero) {
            appendDecimal(UInt64(magnitude), to: &buffer)
            return
        }
        let useExponent = exponentOutsideFixedRange && (magnitude < 1e-6 || magnitude >= 1e21)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let (count, pointPosition) = shortestDigits(of: magnitude, into: digits)
            let used = UnsafeBufferPointer(rebasing: digits[0..<count])
            if useExponent {
                appendExponentForm(used, pointPosition, to: &buffer)
            } else {
                appendFixedForm(used, pointPosition, to: &buffer)
            }
        }
    }

    /// Go's `strconv.FormatFloat(v, 'e', -1, 64)`: `1e+00`, `7.9e+01`, `-2.5e-07` (an alert's `value`
    /// in `/api/v1/alerts` and `/api/v1/rules`).
    static func exponentForm(_ value: Double) -> String {
        if value.isNaN || value.isInfinite {
            var buffer: [UInt8] = []
            append(value, to: &buffer, exponentOutsideFixedRange: true)
            return String(decoding: buffer, as: UTF8.self)
        }
        var buffer: [UInt8] = value.sign == .minus ? [UInt8(ascii: "-")] : []
        if value == 0 {
            buffer += Array("0e+00".utf8)
        } else {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
                let (count, pointPosition) = shortestDigits(of: value.magnitude, into: digits)
                appendExponentForm(UnsafeBufferPointer(rebasing: digits[0..<count]), pointPosition, to: &buffer)
            }
        }
        return String(decoding: buffer, as: UTF8.self)
    }

    static func appendDecimal(_ value: UInt64, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: value) + UInt8(ascii: "0"))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            var remaining = value
            var index = 20
            while remaining > 0 {
                index -= 1
                scratch[index] = UInt8(truncatingIfNeeded: remaining % 10) + UInt8(ascii: "0")
                remaining /= 10
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[index..<20]))
        }
    }

    /// The shortest round-trip digits of a positive finite non-integer-or-large `value` (no leading or trailing
    /// zeros) and the decimal point's position relative to the first digit (`0.d1d2… × 10^point`).
    ///
    /// Swift's `description` is the shortest round-trip representation too (the closest of the shortest, as in
    /// Go); only its layout differs, so its digits and exponent are read back out. Up to 15 characters it is a
    /// small string, which does not allocate.
    private static func shortestDigits(of value: Double, into digits: UnsafeMutableBufferPointer<UInt8>) -> (Int, Int) {
        var count = 0
        var pointPosition = 0
        var seenPoint = false
        var exponent = 0
        var leadingZeros = true
        var text = value.description
        text.withUTF8 { utf8 in
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if leadingZeros && byte == UInt8(ascii: "0") {
                        if seenPoint { pointPosition -= 1 }
                    } else {
                        leadingZeros = false
                        digits[count] = byte
                        count += 1
                        if !seenPoint { pointPosition += 1 }
                    }
                case UInt8(ascii: "."):
                    seenPoint = true
                case UInt8(ascii: "e"), UInt8(ascii: "E"):
                    var sign = 1
                    index += 1
                    if index < utf8.count, utf8[index] == UInt8(ascii: "-") {
                        sign = -1
                        index += 1
                    } else if index < utf8.count, utf8[index] == UInt8(ascii: "+") {
                        index += 1
                    }
                    while index < utf8.count {
                        exponent = exponent * 10 + Int(utf8[index] - UInt8(ascii: "0"))
                        index += 1
                    }
                    exponent *= sign
                default:
                    break
                }
                index += 1
            }
        }
        while count > 0 && digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
        return (count, pointPosition + exponent)
    }

    /// `%f` with exactly the needed decimals: `0.000123`, `123.45`, `1230000`.
    private static func appendFixedForm(
        _ digits: UnsafeBufferPointer<UInt8>, _ pointPosition: Int, to buffer: inout [UInt8]
    ) {
        if pointPosition <= 0 {
            buffer.append(UInt8(ascii: "0"))
            buffer.append(UInt8(ascii: "."))
            for _ in 0..<(-pointPosition) { buffer.append(UInt8(ascii: "0")) }
            buffer.append(contentsOf: digits)
        } else if pointPosition >= digits.count {
            buffer.append(contentsOf: digits)
            for _ in 0..<(pointPosition - digits.count) { buffer.append(UInt8(ascii: "0")) }
        } else {
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[0..<pointPosition]))
            buffer.append(UInt8(ascii: "."))
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[pointPosition...]))
        }
    }

    /// `%e` with exactly the needed digits and at least two exponent digits: `1e-07`, `1.5e+21`.
    private static func appendExponentForm(
        _ digits: UnsafeBufferPointer<UInt8>, _ pointPosition: Int, to buffer: inout [UInt8]
    ) {
        buffer.append(digits[0])
        if digits.count > 1 {
            buffer.append(UInt8(ascii: "."))
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
        }
        buffer.append(UInt8(ascii: "e"))
        let exponent = pointPosition - 1
        buffer.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        if exponent.magnitude < 10 { buffer.append(UInt8(ascii: "0")) }
        appendDecimal(UInt64(exponent.magnitude), to: &buffer)
    }
}
