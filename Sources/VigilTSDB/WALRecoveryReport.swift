/// What reading the WAL back found: how much, and where it stopped early if it did.
public struct WALRecoveryReport: Sendable, Equatable {
    /// Where and why replay stopped before the end of the WAL.
    public struct Damage: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// The last segment ends in a record cut off, zero-filled, or failing its CRC as its final record:
            /// what a crash mid-write leaves, expected after `kill -9` or a power loss.
            case tornTail
            /// A record failed its CRC or did not decode with more data after it, or an older segment is
            /// damaged: the disk or something other than a crash changed the file.
            case corruption
        }

        public var kind: Kind
        /// The segment index (file name `%08d`) holding the first bad record.
        public var segment: Int
        /// Byte offset of the first bad record in that segment; the segment was truncated there.
        public var offset: Int
        /// What was wrong, for the log line.
        public var reason: String
        /// Later segments moved aside (renamed `NAME.discarded`) because they follow the damage.
        public var discardedSegments: [Int]
    }

    /// Segment files read, in order.
    public var segments: [Int] = []
    /// Records read successfully.
    public var records = 0
    /// Series restored from series records.
    public var series = 0
    /// Samples restored into the head.
    public var samples = 0
    /// Samples in the WAL the head did not take (out of order relative to samples replayed before them, or
    /// for a series ref with no series record), as the live head dropped them at commit.
    public var droppedSamples = 0
    /// Nil when the whole WAL read cleanly.
    public var damage: Damage?

    public init() {}
}
