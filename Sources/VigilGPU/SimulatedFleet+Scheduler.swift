extension SimulatedScheduler {
    /// What the controller reports at one moment: its jobs, its nodes and sdiag's statistics.
    public struct Snapshot: Sendable, Equatable {
        /// Pending (in submission order), running, then finished in the last hour.
        public var jobs: [Job]
        public var nodes: [Node]
        public var statistics: Statistics
        public var partitions: [Partition]
        /// Milliseconds since the Unix epoch.
        public var nowMs: Int64
    }
}

extension SimulatedFleet {
    /// The Slurm-like controller's view now; nil unless the fleet runs with scheduling `.slurm`.
    public func schedulerSnapshot() -> SimulatedScheduler.Snapshot? {
        guard let scheduler else { return nil }
        return SimulatedScheduler.Snapshot(
            jobs: scheduler.jobs, nodes: schedulerNodes(scheduler), statistics: scheduler.statistics,
            partitions: scheduler.partitions, nowMs: nowMs)
    }

    /// Nodes as sinfo shows them: allocation from the jobs on each, drain state and reason.
    private func schedulerNodes(_ scheduler: SimulatedScheduler) -> [SimulatedScheduler.Node] {
        let cpusPerGPU = max(1, SimulatedHost.cpuCount / gpusPerNode)
        var cpus = [Int](repeating: 0, count: nodes.count)
        var memory = [Int64](repeating: 0, count: nodes.count)
        for job in scheduler.running {
            guard let node = job.node else { continue }
            cpus[node] += job.cpus
            memory[node] += job.memoryBytes
        }
        return nodes.indices.map { index in
            let node = nodes[index]
            let gpusAllocated = node.gpus.reduce(0) { $0 + ($1.jobSlot == nil ? 0 : 1) }
            let cpusAllocated = min(SimulatedHost.cpuCount, max(cpus[index], gpusAllocated * cpusPerGPU))
            let state: SimulatedScheduler.Node.State
            let drained = index == scheduler.drainedNode
            if drained {
                state = gpusAllocated > 0 ? .draining : .drained
            } else {
                state = gpusAllocated == 0 ? .idle : gpusAllocated == node.gpus.count ? .allocated : .mixed
            }
            return SimulatedScheduler.Node(
                name: node.name, state: state, reason: drained ? SimulatedScheduler.drainReason : "",
                partitions: scheduler.partitions.filter { $0.nodes.contains(index) }.map(\.name),
                cpusTotal: SimulatedHost.cpuCount, cpusAllocated: cpusAllocated,
                memoryTotalBytes: Int64(SimulatedHost.memoryTotalBytes),
                memoryAllocatedBytes: min(Int64(SimulatedHost.memoryTotalBytes), memory[index]),
                gpusTotal: node.gpus.count, gpusAllocated: gpusAllocated)
        }
    }
}
