/// The few transcendental functions the simulator needs, from exact IEEE operations only.
///
/// The platform's libm differs in the last bit between glibc and Darwin, which would make
/// "same seed, same readings" hold per platform only. These are accurate to a few ulps over the
/// ranges the simulator uses and identical everywhere; they also keep the module free of libc.
enum SimulationMath {
    static let pi = 3.141_592_653_589_793_116
    private static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    private static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    private static let ln2 = 0.693_147_180_559_945_286_23
    private static let invLn2 = 1.442_695_040_888_963_387_00

    /// e^x.
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.13 { return 0 }
        // x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2 keeps r exact enough).
        let n = (x * invLn2).rounded()
        let r = (x - n * ln2Hi) - n * ln2Lo
        // Taylor series to r^13: the truncation error is below 1e-17 for |r| ≤ 0.35.
        var term = 1.0
        var sum = 1.0
        for k in 1...13 {
            term = term * r / Double(k)
            sum += term
        }
        return scale(sum, by: Int(n))
    }

    /// Natural logarithm; nan below 0, -infinity at 0.
    static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        var exponent = Int(x.exponent)
        var mantissa = x.significand  // [1, 2)
        if mantissa > 1.414_213_562_373_095_145 {
            mantissa /= 2
            exponent += 1
        }
        // ln m = 2·atanh(s), s = (m-1)/(m+1), |s| ≤ 0.1716: the series to s^21 is exact to 1e-17.
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var power = s
        var sum = 0.0
        var k = 1.0
        while k <= 21 {
            sum += power / k
            power *= s2
            k += 2
        }
        return Double(exponent) * ln2 + 2 * sum
    }

    /// sin(x), for the moderate arguments the simulator uses (phases of a day, a few turns).
    static func sin(_ x: Double) -> Double {
        let twoPi = 2 * pi
        var r = x - (x / twoPi).rounded() * twoPi  // [-π, π]
        if r > pi / 2 { r = pi - r } else if r < -pi / 2 { r = -pi - r }
        let r2 = r * r
        var term = r
        var sum = r
        var k = 1.0
        while k < 19 {
            term = -term * r2 / ((k + 1) * (k + 2))
            sum += term
            k += 2
        }
        return sum
    }

    static func cos(_ x: Double) -> Double {
        sin(x + pi / 2)
    }

    /// base^exponent for base > 0 (0 for base 0).
    static func pow(_ base: Double, _ exponent: Double) -> Double {
        if base == 0 { return 0 }
        return exp(exponent * log(base))
    }

    /// value · 2^power without overflow in the intermediate.
    private static func scale(_ value: Double, by power: Int) -> Double {
        var result = value
        var remaining = power
        while remaining > 1000 {
            result *= 0x1.0p1000
            remaining -= 1000
        }
        while remaining < -1000 {
            result *= 0x1.0p-1000
            remaining += 1000
        }
        return result * Double(sign: .plus, exponent: remaining, significand: 1)
    }
}
