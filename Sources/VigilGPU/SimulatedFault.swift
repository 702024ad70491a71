/// A failure the simulator can inject into one GPU, each with the signals real hardware shows.
///
/// Injection takes effect at once for one-shot events (counters, XIDs, flags) and from the next
/// step for physical ones (heat, clocks, power). ``SimulatedFleet/clear(node:gpu:)`` ends every
/// ongoing fault and resets the state flags (lost, remap pending/failure, lowered power limit);
/// counters keep what they counted, as real counters do, and temperatures recover with their lag.
public enum SimulatedFault: Sendable, Hashable {
    /// The node's airflow fails: inlet air heats by ~30 °C and heat leaves the heatsink worse.
    /// A loaded GPU climbs past its slowdown temperature and throttles (software and hardware
    /// thermal slowdown); an idle one just runs warm.
    case coolingFailure
    /// One XID event with this code: `xidCounts[code]` + 1 and `lastXID` = code. Nothing else.
    case xid(Int)
    /// Corrected (single-bit) ECC errors at hundreds a second; XID 92 (high SBE rate) once.
    case eccSingleBitStorm
    /// One uncorrectable (double-bit) ECC error: uncorrected counters + 1, XID 48, a row remap for
    /// an uncorrectable error waiting for the next GPU reset. The job on the GPU dies.
    case doubleBitError
    /// Row remapping failed (the GPU needs service): `remappedRows.failure`, XID 64.
    case rowRemapFailure
    /// The GPU fell off the bus: readings are lost (identity and XIDs only), XID 79, its job dies
    /// and the scheduler leaves it alone until cleared.
    case fallenOffBus
    /// A bad NVLink: CRC flit errors climb on `link` (tens a second), replays more slowly,
    /// occasional recoveries, each recovery logging XID 74.
    case nvlinkErrors(link: Int)
    /// PCIe replays climbing at hundreds a second (a bad slot, riser or cable).
    case pcieReplayStorm
    /// The power limit is set to `watts` (clamped to the board's range), as `nvidia-smi -pl` or a
    /// facility cap would: under load the GPU sits at the cap with `sw_power_cap` and lower clocks.
    case powerCapThrottling(watts: Double)
    /// The classic hung collective: the job keeps its process and memory, but the GPU does no work
    /// (0 % utilisation, power near idle, P0). Applies to whatever job the GPU runs until cleared.
    case stuckAtZero
}
