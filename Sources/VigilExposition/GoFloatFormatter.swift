/// Writes a `Double` exactly as Go's `strconv.FormatFloat(v, 'g', -1, 64)` does, which is what client_golang
/// and node_exporter put in the text format.
///
/// Go takes the shortest decimal digits that round-trip, `d1 d2 … dn` with the value `0.d1…dn × 10^dp`.
/// With `x = dp - 1`, it writes `%e` (`d1.d2…dne±XX`, at least two exponent digits) when `x < -4 || x >= 6`
/// (precision -1 fixes the threshold at 6), and `%f` with exactly the needed decimals otherwise. So
/// 123456 is `123456`, 1234567 is `1.234567e+06`, 0.0001 is `0.0001` and 0.00001 is `1e-05`. NaN is `NaN`
/// and the infinities `+Inf` and `-Inf`, as Go writes them.
enum GoFloatFormatter {
    static func append(_ value: Double, to buffer: inout [UInt8]) {
        if value.isNaN {
            buffer.append(contentsOf: "NaN".utf8)
            return
        }
        if value.isInfinite {
            buffer.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
            return
        }
        let negative = value.sign == .minus
        let magnitude = value.magnitude
        if magnitude < 1_000_000, magnitude == magnitude.rounded(.towardZero) {
            // An integer below 10^6 always prints as itself: the common case of counts and flags.
            if negative { buffer.append(UInt8(ascii: "-")) }
            appendDecimal(UInt64(magnitude), to: &buffer)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
            let (count, pointPosition) = shortestDigits(of: magnitude, into: digits)
            if negative { buffer.append(UInt8(ascii: "-")) }
            appendFormatted(digits: UnsafeBufferPointer(rebasing: digits[0..<count]), pointPosition, to: &buffer)
        }
    }

    /// The formatted value as a `String`.
    static func string(_ value: Double) -> String {
        var buffer: [UInt8] = []
        append(value, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Writes the shortest round-trip digits of a positive finite `value` into `digits` (no leading or trailing
    /// zeros) and returns their count and `dp`, the position of the decimal point relative to the first digit.
    private static func shortestDigits(of value: Double, into digits: UnsafeMutableBufferPointer<UInt8>) -> (Int, Int) {
        var count = 0
        if value < 9_007_199_254_740_992, value == value.rounded(.towardZero) {
            // Integers below 2^53 are exact: their shortest digits are their decimal digits.
            var remaining = UInt64(value)
            while remaining > 0 {
                digits[count] = UInt8(remaining % 10) + UInt8(ascii: "0")
                remaining /= 10
                count += 1
            }
            digits[0..<count].reverse()
            let pointPosition = count
            while count > 0 && digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
            return (count, pointPosition)
        }
        // Swift's description is the shortest round-trip representation too (the closest of the shortest,
        // as in Go); only its layout differs, so read the digits and exponent back out of it.
        var integerDigits = 0
        var sawPoint = false
        var leadingZeros = 0
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for byte in value.description.utf8 {
            if inExponent {
                if byte == UInt8(ascii: "-") {
                    exponentNegative = true
                } else if ExpositionSyntax.isDigit(byte) {
                    exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
                }
            } else if byte == UInt8(ascii: ".") {
                sawPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                inExponent = true
            } else if ExpositionSyntax.isDigit(byte) {
                if !sawPoint { integerDigits += 1 }
                if count == 0 && byte == UInt8(ascii: "0") {
                    leadingZeros += 1
                } else if count < digits.count {
                    digits[count] = byte
                    count += 1
                }
            }
        }
        while count > 0 && digits[count - 1] == UInt8(ascii: "0") { count -= 1 }
        return (count, integerDigits - leadingZeros + (exponentNegative ? -exponent : exponent))
    }

    private static func appendFormatted(
        digits: UnsafeBufferPointer<UInt8>, _ pointPosition: Int, to buffer: inout [UInt8]
    ) {
        let count = digits.count
        guard count > 0 else {
            buffer.append(UInt8(ascii: "0"))
            return
        }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            buffer.append(digits[0])
            if count > 1 {
                buffer.append(UInt8(ascii: "."))
                buffer.append(contentsOf: digits[1...])
            }
            buffer.append(UInt8(ascii: "e"))
            buffer.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = exponent.magnitude
            if magnitude < 10 { buffer.append(UInt8(ascii: "0")) }
            appendDecimal(UInt64(magnitude), to: &buffer)
            return
        }
        if pointPosition > 0 {
            let integerCount = min(count, pointPosition)
            buffer.append(contentsOf: digits[0..<integerCount])
            if pointPosition > count {
                buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: pointPosition - count))
            }
        } else {
            buffer.append(UInt8(ascii: "0"))
        }
        let decimals = count - pointPosition
        if decimals > 0 {
            buffer.append(UInt8(ascii: "."))
            for position in pointPosition..<count {
                buffer.append(position < 0 ? UInt8(ascii: "0") : digits[position])
            }
        }
    }

    /// Appends `value` in decimal without allocating.
    static func appendDecimal(_ value: UInt64, to buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: value) + UInt8(ascii: "0"))
            return
        }
        var remaining = value
        var length = 0
        while remaining > 0 {
            remaining /= 10
            length += 1
        }
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: length))
        remaining = value
        var position = start + length - 1
        while remaining > 0 {
            buffer[position] = UInt8(truncatingIfNeeded: remaining % 10) + UInt8(ascii: "0")
            remaining /= 10
            position -= 1
        }
    }
}
