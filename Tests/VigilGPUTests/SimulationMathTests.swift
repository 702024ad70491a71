import Testing

@testable import VigilGPU

@Suite("Simulation math")
struct SimulationMathTests {
    private func close(_ actual: Double, _ expected: Double, relative: Double = 1e-14) -> Bool {
        abs(actual - expected) <= relative * max(1, abs(expected))
    }

    @Test("exp matches reference values")
    func exp() {
        #expect(SimulationMath.exp(0) == 1)
        #expect(close(SimulationMath.exp(1), 2.718_281_828_459_045))
        #expect(close(SimulationMath.exp(-1), 0.367_879_441_171_442_33))
        #expect(close(SimulationMath.exp(10), 22_026.465_794_806_718))
        #expect(close(SimulationMath.exp(-0.025), 0.975_309_912_028_332_6))
        #expect(close(SimulationMath.exp(-700), 9.859_676_543_759_77e-305, relative: 1e-13))
        #expect(SimulationMath.exp(-800) == 0)
        #expect(SimulationMath.exp(800) == .infinity)
    }

    @Test("log matches reference values and inverts exp")
    func log() {
        #expect(SimulationMath.log(1) == 0)
        #expect(close(SimulationMath.log(10), 2.302_585_092_994_046))
        #expect(close(SimulationMath.log(0.5), -0.693_147_180_559_945_3))
        #expect(close(SimulationMath.log(1e-300), -690.775_527_898_213_7))
        #expect(SimulationMath.log(0) == -.infinity)
        #expect(SimulationMath.log(-1).isNaN)
        for x in stride(from: -20.0, through: 20, by: 0.37) {
            #expect(close(SimulationMath.log(SimulationMath.exp(x)), x, relative: 1e-13))
        }
    }

    @Test("sin and cos match reference values")
    func trigonometry() {
        let pi = SimulationMath.pi
        #expect(close(SimulationMath.sin(pi / 6), 0.5))
        #expect(close(SimulationMath.sin(1), 0.841_470_984_807_896_5))
        #expect(close(SimulationMath.sin(-2.5), -0.598_472_144_103_956_5))
        #expect(close(SimulationMath.cos(0), 1))
        #expect(close(SimulationMath.cos(pi), -1))
        #expect(close(SimulationMath.sin(13 * pi / 4), -0.707_106_781_186_547_5, relative: 1e-13))
        for x in stride(from: -7.0, through: 7, by: 0.13) {
            let s = SimulationMath.sin(x)
            let c = SimulationMath.cos(x)
            #expect(abs(s * s + c * c - 1) < 1e-14)
        }
    }

    @Test("pow")
    func pow() {
        #expect(close(SimulationMath.pow(2, 10), 1024, relative: 1e-13))
        #expect(close(SimulationMath.pow(0.5, 0.4), 0.757_858_283_255_198_9, relative: 1e-13))
        #expect(SimulationMath.pow(0, 0.4) == 0)
    }

    @Test("The generator is xoshiro256** with SplitMix64 seeding, draws within their ranges")
    func random() {
        var first = SimulationRandom(seed: 1)
        var second = SimulationRandom(seed: 1)
        var other = SimulationRandom(seed: 2)
        let sequence = (0..<8).map { _ in first.next() }
        #expect(sequence == (0..<8).map { _ in second.next() })
        #expect(sequence != (0..<8).map { _ in other.next() })
        var draws = SimulationRandom(seed: 99)
        var sum = 0.0
        for _ in 0..<10_000 {
            let unit = draws.unit()
            #expect(unit >= 0 && unit < 1)
            #expect((3...9).contains(draws.integer(3...9)))
            #expect(abs(draws.gaussian()) <= 3.5)
            sum += draws.exponential(mean: 2)
        }
        #expect(abs(sum / 10_000 - 2) < 0.1)
    }
}
