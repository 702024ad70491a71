import Foundation
import Testing
import VigilModel
import VigilPromQL

@testable import VigilServer

/// A large matrix is written on several threads; the bytes must be the single-threaded writer's.
@Suite struct MatrixEncodingTests {
    static func matrix(series: Int, points: Int) -> [MatrixSeries] {
        let special: [Double] = [.nan, .infinity, -.infinity, -0.0, 1e-7, 1e21, 123_456_789.123_456_78]
        var result: [MatrixSeries] = []
        for index in 0..<series {
            var samples: [Sample] = []
            if index % 7 != 3 {
                for point in 0..<points {
                    let value: Double =
                        point % 50 == 0 ? special[point / 50 % special.count] : Double(index * points + point) / 8
                    samples.append(Sample(Int64(point) * 15_000 + 1, value))
                }
            }
            let labels = Labels([Label("__name__", "m"), Label("i", "\(index)"), Label("q", "a\"b\\c")])
            result.append(MatrixSeries(labels: labels, samples: samples))
        }
        return result
    }

    static func written(_ matrix: [MatrixSeries], concurrency: Int) -> [UInt8] {
        var json = JSONWriter()
        QueryResultEncoder.writeMatrix(matrix, to: &json, concurrency: concurrency)
        return json.bytes
    }

    @Test("the parallel writer's bytes are the sequential writer's", arguments: [(1, 5), (3, 40_000), (64, 1441)])
    func sameBytes(series: Int, points: Int) throws {
        let matrix = Self.matrix(series: series, points: points)
        let sequential = Self.written(matrix, concurrency: 1)
        for concurrency in [2, 3, 8] {
            #expect(
                Self.written(matrix, concurrency: concurrency) == sequential, "\(series) × \(points), \(concurrency)")
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(sequential)) as? [[String: Any]]
        #expect(decoded?.count == series)
    }
}
