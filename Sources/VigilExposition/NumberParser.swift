/// Parses the numbers of an exposition line: sample values, and timestamps in milliseconds or seconds.
///
/// Sample values accept what Go's `strconv.ParseFloat` accepts minus hexadecimal floats and underscores
/// (as Prometheus's parsers do): an optional sign, decimal digits with an optional point and exponent,
/// `Inf`/`Infinity` with an optional sign, and `NaN`, all case-insensitive. Overflow is an error; underflow
/// rounds to zero, as in Go.
enum NumberParser {
    enum Failure: Error {
        case invalid
        case outOfRange
    }

    /// Exact powers of ten up to 10^22, the largest a `Double` holds exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses a sample value.
    ///
    /// Numbers with at most 19 significant digits whose mantissa fits 53 bits and whose decimal exponent lies
    /// within ±22 are computed exactly with one multiplication or division (Clinger's fast path); anything
    /// else goes to the standard library's correctly rounded conversion.
    static func parseDouble(_ bytes: UnsafePointer<UInt8>, count: Int) throws(Failure) -> Double {
        guard count > 0 else { throw .invalid }
        var index = 0
        var negative = false
        var byte = bytes[0]
        if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
            negative = byte == UInt8(ascii: "-")
            index = 1
            guard count > 1 else { throw .invalid }
            byte = bytes[1]
        }
        if !ExpositionSyntax.isDigit(byte) && byte != UInt8(ascii: ".") {
            return try parseSpecial(bytes, count: count, signLength: index, negative: negative)
        }

        var mantissa: UInt64 = 0
        var significantDigits = 0
        var digits = 0
        var exponent = 0
        var truncated = false
        var sawPoint = false
        while index < count {
            byte = bytes[index]
            if ExpositionSyntax.isDigit(byte) {
                digits += 1
                let digit = UInt64(byte &- UInt8(ascii: "0"))
                if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ digit
                    if mantissa != 0 { significantDigits += 1 }
                    if sawPoint { exponent -= 1 }
                } else {
                    if digit != 0 { truncated = true }
                    if !sawPoint { exponent += 1 }
                }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { throw .invalid }
        if index < count {
            guard bytes[index] | 0x20 == UInt8(ascii: "e") else { throw .invalid }
            index += 1
            var exponentNegative = false
            if index < count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < count else { throw .invalid }
            var written = 0
            while index < count {
                byte = bytes[index]
                guard ExpositionSyntax.isDigit(byte) else { throw .invalid }
                if written < 100_000 { written = written * 10 + Int(byte &- UInt8(ascii: "0")) }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }

        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if !truncated && mantissa <= 1 << 53 {
            var value = Double(mantissa)
            var exactExponent = exponent
            if exactExponent > 22 && exactExponent <= 22 + 15 {
                // 12e30 is 12000000e25: move the excess into the mantissa while it stays exact.
                let shifted = value * exactPowersOfTen[exactExponent - 22]
                if shifted <= 9_007_199_254_740_992 {
                    value = shifted
                    exactExponent = 22
                }
            }
            if exactExponent >= 0 && exactExponent <= 22 {
                value *= exactPowersOfTen[exactExponent]
                return negative ? -value : value
            }
            if exactExponent < 0 && exactExponent >= -22 {
                value /= exactPowersOfTen[-exactExponent]
                return negative ? -value : value
            }
        }
        guard let value = Double(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        else {
            throw .invalid
        }
        if value.isInfinite { throw .outOfRange }
        return value
    }

    /// `Inf`, `Infinity` (either with a sign) or `NaN` (without), case-insensitive, as Go's `special` reads them.
    private static func parseSpecial(
        _ bytes: UnsafePointer<UInt8>, count: Int, signLength: Int, negative: Bool
    ) throws(Failure) -> Double {
        let word = UnsafeBufferPointer(start: bytes + signLength, count: count - signLength)
        if equalsIgnoringCase(word, "inf") || equalsIgnoringCase(word, "infinity") {
            return negative ? -.infinity : .infinity
        }
        if signLength == 0 && equalsIgnoringCase(word, "nan") { return .nan }
        throw .invalid
    }

    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<bytes.count where bytes[index] | 0x20 != expected[index] { return false }
        return true
    }

    /// Parses a text format timestamp: a base-10 integer count of milliseconds, like Go's `ParseInt(s, 10, 64)`.
    static func parseMilliseconds(_ bytes: UnsafePointer<UInt8>, count: Int) throws(Failure) -> Int64 {
        guard count > 0 else { throw .invalid }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { throw .invalid }
        var magnitude: UInt64 = 0
        while index < count {
            let byte = bytes[index]
            guard ExpositionSyntax.isDigit(byte) else { throw .invalid }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw .outOfRange }
            magnitude = sum
            index += 1
        }
        return try signed(magnitude, negative: negative)
    }

    /// Parses an OpenMetrics timestamp, seconds as a float, into milliseconds rounded half away from zero.
    ///
    /// Plain decimals (`1700000000.123`) convert exactly, digit by digit; other spellings go through `Double`.
    static func parseSecondsAsMilliseconds(_ bytes: UnsafePointer<UInt8>, count: Int) throws(Failure) -> Int64 {
        guard count > 0 else { throw .invalid }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var seconds: UInt64 = 0
        var digits = 0
        var overflow = false
        while index < count, ExpositionSyntax.isDigit(bytes[index]) {
            let (times10, overflow1) = seconds.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] &- UInt8(ascii: "0")))
            overflow = overflow || overflow1 || overflow2
            seconds = sum
            digits += 1
            index += 1
        }
        var fraction: UInt64 = 0
        var roundUp = false
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fractionDigits = 0
            while index < count, ExpositionSyntax.isDigit(bytes[index]) {
                let digit = UInt64(bytes[index] &- UInt8(ascii: "0"))
                if fractionDigits < 3 {
                    fraction = fraction * 10 + digit
                } else if fractionDigits == 3 {
                    roundUp = digit >= 5
                }
                fractionDigits += 1
                digits += 1
                index += 1
            }
            while fractionDigits < 3 {
                fraction *= 10
                fractionDigits += 1
            }
        }
        if index == count && digits > 0 {
            // A plain decimal: exact.
            guard !overflow else { throw .outOfRange }
            let (milliseconds, overflow1) = seconds.multipliedReportingOverflow(by: 1000)
            let (withFraction, overflow2) = milliseconds.addingReportingOverflow(fraction + (roundUp ? 1 : 0))
            guard !overflow1, !overflow2 else { throw .outOfRange }
            return try signed(withFraction, negative: negative)
        }
        let value = try parseDouble(bytes, count: count)
        guard value.isFinite else { throw .invalid }
        let milliseconds = (value * 1000).rounded(.toNearestOrAwayFromZero)
        // 2^63 is exact as a Double; every Double below it in magnitude converts.
        guard milliseconds < 9_223_372_036_854_775_808.0, milliseconds >= -9_223_372_036_854_775_808.0 else {
            throw .outOfRange
        }
        return Int64(milliseconds)
    }

    private static func signed(_ magnitude: UInt64, negative: Bool) throws(Failure) -> Int64 {
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .outOfRange }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw .outOfRange }
        return Int64(magnitude)
    }
}
