import Testing
import VigilStorageTestSupport

@testable import VigilTSDB

/// Segment rotation decided from byte counts alone.
@Suite struct WALSegmentStateMachineTests {
    @Test func framesFillASegmentUpToTheLimit() {
        var machine = WALSegmentStateMachine(segment: 3, segmentSize: 100)
        #expect(machine.add(frameOf: 60) == .append)
        #expect(machine.add(frameOf: 40) == .append)
        machine.flushed()
        #expect(machine.size == 100)
        #expect(machine.add(frameOf: 1) == .rotate)
        // Rotating is the caller's move: nothing changed until it reports back.
        #expect(machine.segment == 3)
        machine.rotated()
        #expect(machine.add(frameOf: 1) == .append)
        #expect(machine.segment == 4)
        #expect(machine.size == 0 && machine.queued == 1)
    }

    @Test func queuedBytesCountTowardsTheLimit() {
        var machine = WALSegmentStateMachine(segment: 0, segmentSize: 100)
        #expect(machine.add(frameOf: 70) == .append)
        #expect(machine.add(frameOf: 31) == .rotate)
    }

    @Test func anEmptySegmentTakesAnOversizedFrame() {
        var machine = WALSegmentStateMachine(segment: 0, segmentSize: 100)
        #expect(machine.add(frameOf: 500) == .append)
        machine.flushed()
        #expect(machine.add(frameOf: 1) == .rotate)
    }

    @Test func aFailedWriteCutsBackToTheLastFlush() {
        var machine = WALSegmentStateMachine(segment: 0, segmentSize: 100)
        #expect(machine.add(frameOf: 30) == .append)
        machine.flushed()
        #expect(machine.add(frameOf: 50) == .append)
        #expect(machine.flushFailed() == 30)
        #expect(machine.add(frameOf: 70) == .append)
    }
}
