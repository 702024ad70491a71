import Foundation
import Testing
import VigilGPU

/// XID events: the fake's event sets yield XID 79 on GPU 1, then 48 on GPU 0, then what the test queues.
@Suite(.enabled(if: FakeNVML.canRun, FakeNVML.skipReason))
struct NVMLXIDListenerTests {
    /// Reads until `done` holds or 5 s pass (the listener runs on its own thread); the last readings.
    static func read(
        _ backend: NVMLBackend, until done: ([GPUReading]) -> Bool
    ) throws -> [GPUReading] {
        let deadline = Date().addingTimeInterval(5)
        var readings = try backend.read()
        while !done(readings) && Date() < deadline {
            usleep(5_000)
            readings = try backend.read()
        }
        return readings
    }

    @Test func countsXIDsPerGPUAndCode() throws {
        let fake = try FakeNVML.privateCopy(.current)
        let backend = try NVMLBackend(libraryPath: fake.path, listenForXIDs: true, xidWaitMilliseconds: 10)
        #expect(backend.isListeningForXIDs)

        var readings = try Self.read(backend) { $0[1].xidCounts == [79: 1] && $0[0].xidCounts == [48: 1] }
        #expect(readings[1].xidCounts == [79: 1])
        #expect(readings[1].lastXID == 79)
        #expect(readings[0].xidCounts == [48: 1])
        #expect(readings[0].lastXID == 48)

        fake.pushXID(gpu: 1, code: 79)
        fake.pushXID(gpu: 1, code: 79)
        fake.pushXID(gpu: 0, code: 13)
        readings = try Self.read(backend) { $0[1].xidCounts[79] == 3 && $0[0].xidCounts[13] == 1 }
        #expect(readings[1].xidCounts == [79: 3])
        #expect(readings[1].lastXID == 79)
        #expect(readings[0].xidCounts == [48: 1, 13: 1])
        #expect(readings[0].lastXID == 13)

        // A GPU that falls off the bus keeps its XIDs in the lost reading: XID 79 is how one learns why.
        fake.setLost(gpu: 1, .measurements)
        let lost = try backend.read()[1]
        #expect(lost.isLost)
        #expect(lost.xidCounts == [79: 3])
        #expect(lost.lastXID == 79)

        backend.shutdown()
        backend.shutdown()  // idempotent
        #expect(try backend.read()[0].xidCounts == [48: 1, 13: 1])  // counts survive the listener
    }

    @Test func withoutEventsTheRestStillWorks() throws {
        let fake = try FakeNVML.privateCopy(.current)
        fake.refuseEvents(true)
        let backend = try NVMLBackend(libraryPath: fake.path, listenForXIDs: true, xidWaitMilliseconds: 10)
        #expect(!backend.isListeningForXIDs)
        let readings = try backend.read()
        #expect(readings.count == 2)
        #expect(readings.allSatisfy { $0.lastXID == nil && $0.xidCounts.isEmpty })
        #expect(readings[0].gpuTemperatureCelsius == 64)
    }

    @Test func aRegisteredGPUWithoutXIDsReportsZero() throws {
        let fake = try FakeNVML.privateCopy(.current)
        let backend = try NVMLBackend(libraryPath: fake.path, listenForXIDs: true, xidWaitMilliseconds: 10)
        backend.shutdown()  // may stop before or after the scripted events: either way lastXID is a number
        for reading in try backend.read() {
            let last = try #require(reading.lastXID)
            #expect(last == 0 ? reading.xidCounts.isEmpty : reading.xidCounts[last] == 1)
        }
    }

    @Test func notListeningLeavesXIDsAbsent() throws {
        let backend = try NVMLBackend(libraryPath: FakeNVML.library(.current), listenForXIDs: false)
        #expect(!backend.isListeningForXIDs)
        #expect(try backend.read().allSatisfy { $0.lastXID == nil && $0.xidCounts.isEmpty })
    }
}
