import Synchronization
import Testing
import VigilGPU

@Suite struct SimulatedClusterTests {
    @Test func nodesAreDistinctMachinesThatFollowTheClock() throws {
        let clock = Mutex<Int64>(1_700_000_000_000)
        let cluster = try SimulatedCluster(nodes: 3, gpusPerNode: 4, seed: 11, now: { clock.withLock { $0 } })
        #expect(cluster.nodeNames == ["gpu-node-01", "gpu-node-02", "gpu-node-03"])
        let first = (0..<3).map { cluster.readings(node: $0) }
        #expect(first.allSatisfy { $0.count == 4 })
        // Every GPU of the cluster has its own identity.
        #expect(Set(first.flatMap { $0.map(\.identity.uuid) }).count == 12)
        clock.withLock { $0 += 60_000 }
        let later = cluster.readings(node: 0)
        #expect(later.map(\.identity.uuid) == first[0].map(\.identity.uuid))
        #expect(cluster.withFleet { $0.nowMs } == 1_700_000_060_000)
    }

    @Test(arguments: [(0, 8), (2, 0), (2, 33)])
    func refusesImpossibleShapes(nodes: Int, gpus: Int) {
        #expect(throws: GPUError.self) { try SimulatedCluster(nodes: nodes, gpusPerNode: gpus) }
    }
}
