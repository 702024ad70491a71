/// A problem the simulator can give a node's host (not its GPUs), each with the signals real hardware shows
/// in node_exporter's metrics.
public enum SimulatedHostFault: Sendable, Hashable {
    /// A marginal InfiniBand cable or transceiver on one port (`mlx5_<port>`): symbol errors climb (a few a
    /// second under traffic), receive errors follow, and the link retrains now and then
    /// (`link_error_recovery`), as a bad NVLink does for a GPU.
    case infinibandSymbolErrors(port: Int)
    /// The local scratch NVMe (`nvme1n1`, mounted on `/raid`) answers slowly: every I/O takes tens of
    /// milliseconds instead of tens of microseconds, so checkpoints and data loading stall.
    case slowDisk
    /// The scratch filesystem fills up: checkpoints are never cleaned, free space falls towards zero.
    case scratchFilling

    /// What a `--demo` fleet (automatic scheduling) starts with, on nodes other than the GPU incidents':
    /// a bad InfiniBand port and a slow disk (and a filling scratch disk when the fleet has room for it).
    public static func planted(nodes: Int) -> [(node: Int, fault: SimulatedHostFault)] {
        var planted: [(node: Int, fault: SimulatedHostFault)] = [
            (4 % nodes, .infinibandSymbolErrors(port: 3)),
            (5 % nodes, .slowDisk),
        ]
        if nodes > 6 { planted.append((6, .scratchFilling)) }
        return planted
    }
}
