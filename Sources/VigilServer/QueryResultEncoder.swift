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
    static func writeMatrix(_ series: [MatrixSeries], to json: inout JSONWriter) {
        json.byte(UInt8(ascii: "["))
        for (index, entry) in series.enumerated() {
            if index > 0 { json.byte(UInt8(ascii: ",")) }
            json.raw(#"{"metric":"#)
            json.labels(entry.labels)
            if !entry.samples.isEmpty {
                json.raw(#","values":["#)
                for (pointIndex, sample) in entry.samples.enumerated() {
                    if pointIndex > 0 { json.byte(UInt8(ascii: ",")) }
                    json.point(sample.timestamp, sample.value)
                }
                json.byte(UInt8(ascii: "]"))
            }
            json.byte(UInt8(ascii: "}"))
        }
        json.byte(UInt8(ascii: "]"))
    }
}
