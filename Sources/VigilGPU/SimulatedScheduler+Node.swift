extension SimulatedScheduler {
    /// A node as `sinfo`/`scontrol show node` would report it.
    public struct Node: Sendable, Equatable {
        /// sinfo's names: `idle`, `mixed`, `allocated`, `drained`, `draining` (drained with jobs still on it).
        public enum State: String, Sendable, CaseIterable {
            case idle, mixed, allocated, drained, draining
        }

        public var name: String
        public var state: State
        /// Why an administrator drained it; empty when not drained.
        public var reason: String
        public var partitions: [String]
        public var cpusTotal: Int
        public var cpusAllocated: Int
        public var memoryTotalBytes: Int64
        public var memoryAllocatedBytes: Int64
        public var gpusTotal: Int
        public var gpusAllocated: Int
    }

    /// A partition: its nodes, the longest job it allows and its scheduling priority tier.
    public struct Partition: Sendable, Equatable {
        public var name: String
        /// Node indexes, ascending.
        public var nodes: [Int]
        public var maxTimeMs: Int64
        /// Higher goes first in a scheduling pass (`PriorityTier`).
        public var priorityTier: Int
    }
}
