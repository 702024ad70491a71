/// Decides when the WAL moves to its next segment, from byte counts alone: no files, no clock, so it is
/// unit-tested directly. ``WAL`` performs the actions (write, fsync, open the next file).
///
/// A segment takes frames until the next one would take it past the size limit; an empty segment takes
/// any frame, so a record larger than the limit gets a segment to itself and records never span segments.
struct WALSegmentStateMachine: Equatable {
    enum Action: Equatable {
        /// Queue the frame for the current segment.
        case append
        /// Write what is queued, sync and close the segment, open the next, call ``rotated()``, then
        /// offer the frame again.
        case rotate
    }

    let segmentSize: Int
    /// The segment being written.
    private(set) var segment: Int
    /// Bytes written to the segment so far.
    private(set) var size = 0
    /// Bytes queued for the segment and not yet written.
    private(set) var queued = 0

    init(segment: Int, segmentSize: Int) {
        self.segment = segment
        self.segmentSize = segmentSize
    }

    /// Offers a frame of `byteCount` bytes.
    mutating func add(frameOf byteCount: Int) -> Action {
        if size + queued > 0 && size + queued + byteCount > segmentSize { return .rotate }
        queued += byteCount
        return .append
    }

    /// The queued bytes reached the file.
    mutating func flushed() {
        size += queued
        queued = 0
    }

    /// Writing the queued bytes failed; returns the length to cut the segment back to.
    mutating func flushFailed() -> Int {
        queued = 0
        return size
    }

    /// The next segment is open and empty.
    mutating func rotated() {
        segment += 1
        size = 0
        queued = 0
    }
}
