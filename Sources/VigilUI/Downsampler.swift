import VigilModel

/// Reduces a series to what a plot of `columns` pixels can show: per pixel column, the minimum and the maximum
/// (in time order), so spikes survive. NaN samples are breaks and are kept as single NaN markers.
public enum Downsampler {
    /// The samples to draw, and whether any were dropped. Series with no more finite samples than columns are
    /// returned unchanged. `samples` must be sorted by timestamp; `end > start`, `columns > 0`.
    public static func minMax(_ samples: [Sample], start: Int64, end: Int64, columns: Int) -> (
        samples: [Sample], downsampled: Bool
    ) {
        let finite = samples.reduce(0) { $0 + ($1.value.isNaN ? 0 : 1) }
        guard columns > 0, end > start, finite > columns else { return (samples, false) }
        let span = Double(end - start)
        func column(_ t: Int64) -> Int { min(max(Int(Double(t - start) / span * Double(columns)), -1), columns) }
        var out: [Sample] = []
        out.reserveCapacity(min(samples.count, 2 * columns + 16))
        var bucket = Int.min
        var low: Sample?
        var high: Sample?
        func flush() {
            guard let l = low, let h = high else { return }
            if l.timestamp == h.timestamp {
                out.append(l)
            } else if l.timestamp < h.timestamp {
                out.append(l)
                out.append(h)
            } else {
                out.append(h)
                out.append(l)
            }
            low = nil
            high = nil
        }
        for sample in samples {
            if sample.value.isNaN {
                flush()
                if let last = out.last, !last.value.isNaN { out.append(sample) }
                bucket = Int.min
                continue
            }
            let c = column(sample.timestamp)
            if c != bucket {
                flush()
                bucket = c
            }
            if low == nil || sample.value < low!.value { low = sample }
            if high == nil || sample.value > high!.value { high = sample }
        }
        flush()
        return (out, out.count < samples.count)
    }
}
