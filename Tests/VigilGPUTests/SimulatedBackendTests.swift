import Synchronization
import Testing
import VigilGPU
import VigilModel

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    private let nowMs: Mutex<Int64>

    init(_ startMs: Int64) { nowMs = Mutex(startMs) }

    func advance(seconds: Int64) { nowMs.withLock { $0 += seconds * 1000 } }

    var read: @Sendable () -> Int64 { { self.nowMs.withLock { $0 } } }
}

@Suite("Simulated backend")
struct SimulatedBackendTests {
    @Test("Reads one machine's GPUs and follows the injected clock")
    func readsFollowTheClock() throws {
        let clock = ManualClock(1_700_000_000_000)
        let backend = try SimulatedBackend(gpus: 4, profile: .h200, seed: 5, now: clock.read)
        #expect(backend.name == "sim")
        let first = try backend.read()
        #expect(first.count == 4)
        #expect(first.map(\.identity.index) == [0, 1, 2, 3])
        #expect(first.allSatisfy { $0.identity.name == "NVIDIA H200" })
        #expect(try backend.read() == first)  // time stood still

        clock.advance(seconds: 60)
        let later = try backend.read()
        #expect(try #require(later[0].totalEnergyMillijoules) > #require(first[0].totalEnergyMillijoules))
        #expect(backend.withFleet { $0.nowMs } == 1_700_000_060_000)
    }

    @Test("Two backends with the same seed and clock agree")
    func deterministic() throws {
        let clock = ManualClock(0)
        let first = try SimulatedBackend(gpus: 8, seed: 9, now: clock.read)
        let second = try SimulatedBackend(gpus: 8, seed: 9, now: clock.read)
        for _ in 0..<10 {
            clock.advance(seconds: 15)
            #expect(try first.read() == second.read())
        }
    }

    @Test("Faults can be injected and cleared through the backend")
    func faults() throws {
        let clock = ManualClock(0)
        let backend = try SimulatedBackend(gpus: 2, profile: .a100, seed: 1, scheduling: .manual, now: clock.read)
        backend.inject(.fallenOffBus, gpu: 1)
        clock.advance(seconds: 5)
        var readings = try backend.read()
        #expect(readings[1].isLost)
        #expect(readings[1].lastXID == 79)
        backend.clear(gpu: 1)
        clock.advance(seconds: 5)
        readings = try backend.read()
        #expect(!readings[1].isLost)
    }

    @Test("The wall clock is milliseconds since the epoch")
    func wallClock() throws {
        let now = WallClock.nowMilliseconds()
        #expect(now > 1_700_000_000_000)
        #expect(now < 4_102_444_800_000)  // 2100
        _ = try SimulatedBackend(gpus: 1).read()
    }

    @Test("A GPU count outside 1…32 is an error", arguments: [0, -1, 33])
    func invalidGPUCount(count: Int) {
        #expect(throws: GPUError.self) { try SimulatedBackend(gpus: count) }
    }
}
