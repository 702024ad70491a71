import Dispatch
import VigilModel
import VigilPromQL

/// Writes query results as Prometheus's JSON codec does.
enum QueryResultEncoder {
    /// `{"resultType":…,"result":…}`.
    static func writeData(_ value: QueryValue, to json: inout JSONWriter) {
        switch value {
        case .vector(let samples):
            json.raw(#"{"resultType":"vector","result":["#)
            for (index, sample) in samples.enumerated() {
                if index > 0 { json.byte(UInt8(ascii: ",")) }
                json.raw(#"{"metric":"#)
                json.labels(sample.labels)
                json.raw(#","value":"#)
                json.point(sample.timestamp, sample.value)
                json.byte(UInt8(ascii: "}"))
            }
            json.raw("]}")
        case .matrix(let series):
            json.raw(#"{"resultType":"matrix","result":"#)
            writeMatrix(series, to: &json)
            json.byte(UInt8(ascii: "}"))
        case .scalar(let value, let timestamp):
            // promql.Scalar marshals through encoding/json: the time as a float64 number, the value with 'f'.
            json.raw(#"{"resultType":"scalar","result":["#)
            json.number(Double(timestamp) / 1000)
            json.raw(#",""#)
            GoFloat.append(value, to: &json.bytes, exponentOutsideFixedRange: false)
            json.raw(#""]}"#)
        case .string(let text, let timestamp):
            json.raw(#"{"resultType":"string","result":["#)
            json.number(Double(timestamp) / 1000)
            json.byte(UInt8(ascii: ","))
            json.string(text)
            json.raw("]}")
        }
    }

    /// `[{"metric":{…},"values":[[t,"v"],…]},…]`; a series without points has no `values`, as in Prometheus.
    ///
    /// A large matrix is written on up to `concurrency` threads, each writing a contiguous run of series into
    /// its own buffer, joined in order: formatting numbers is most of the time of a long range query's
    /// response. The bytes do not depend on it.
    static func writeMatrix(
        _ series: [MatrixSeries], to json: inout JSONWriter, concurrency: Int = Engine.processorCount
    ) {
        let points = series.reduce(0) { $0 + $1.samples.count }
        let workers = Swift.min(concurrency, series.count, points / minimumPointsPerWriter)
        json.byte(UInt8(ascii: "["))
        guard workers > 1 else {
            for index in series.indices { writeSeries(series, at: index, to: &json) }
            json.byte(UInt8(ascii: "]"))
            return
        }
        var parts = [[UInt8]](repeating: [], count: workers)
        parts.withUnsafeMutableBufferPointer { parts in
            let slots = PartSlots(parts: parts)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let range = (series.count * worker / workers)..<(series.count * (worker + 1) / workers)
                var writer = JSONWriter(capacity: (points / workers) * 32)
                for index in range { writeSeries(series, at: index, to: &writer) }
                slots.parts[worker] = writer.bytes
            }
        }
        for part in parts { json.bytes.append(contentsOf: part) }
        json.byte(UInt8(ascii: "]"))
    }

    /// Below this many points per thread, a matrix is written on the calling thread.
    static let minimumPointsPerWriter = 10_000

    /// One series of a matrix, with the comma before it unless it is the first.
    private static func writeSeries(_ series: [MatrixSeries], at index: Int, to json: inout JSONWriter) {
        if index > 0 { json.byte(UInt8(ascii: ",")) }
        json.raw(#"{"metric":"#)
        json.labels(series[index].labels)
        if !series[index].samples.isEmpty {
            json.raw(#","values":["#)
            for (pointIndex, sample) in series[index].samples.enumerated() {
                if pointIndex > 0 { json.byte(UInt8(ascii: ",")) }
                json.point(sample.timestamp, sample.value)
            }
            json.byte(UInt8(ascii: "]"))
        }
        json.byte(UInt8(ascii: "}"))
    }

    /// The buffers of a parallel write; each thread writes only its own.
    private struct PartSlots: @unchecked Sendable {
        let parts: UnsafeMutableBufferPointer<[UInt8]>
    }
}
