import Testing
import VigilModel
import VigilStorage
import VigilStorageTestSupport

/// Every error the memory storage throws: its code, its message (naming series and timestamps), and
/// the counter of rejected samples per reason.
@Suite struct StorageErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var options = MemoryStorage.Options()
        var code: StorageError.Code
        var message: String
        var timestamp: Int64?
        /// Brings the storage into shape, then performs the failing operation.
        var act: @Sendable (MemoryStorage) throws -> Void

        var testDescription: String { name }
    }

    static let up = Labels.metric("up", ["job": "node"])

    static let cases: [Case] = [
        Case(
            name: "out of order", code: .outOfOrderSample,
            message:
                #"out of order sample for series {__name__="up", job="node"}: timestamp 1000 is before the series' newest sample at 2000"#,
            timestamp: 1000
        ) { storage in
            try storage.load(series: [(up, samples(2000))])
            try storage.appender().append(up, timestamp: 1000, value: 1)
        },
        Case(
            name: "out of order within one transaction", code: .outOfOrderSample,
            message:
                #"out of order sample for series {__name__="up", job="node"}: timestamp 1500 is before the series' newest sample at 2000"#,
            timestamp: 1500
        ) { storage in
            let appender = storage.appender()
            let ref = try appender.append(up, timestamp: 2000, value: 1)
            try appender.append(ref, timestamp: 1500, value: 1)
        },
        Case(
            name: "duplicate timestamp, other value", code: .duplicateSampleForTimestamp,
            message:
                #"duplicate sample for timestamp 2000 in series {__name__="up", job="node"}: value 5.0 differs from the stored 2.0"#,
            timestamp: 2000
        ) { storage in
            try storage.load(series: [(up, samples(2000))])
            try storage.appender().append(up, timestamp: 2000, value: 5)
        },
        Case(
            name: "stale marker over a value", code: .duplicateSampleForTimestamp,
            message:
                #"duplicate sample for timestamp 2000 in series {__name__="up", job="node"}: value stale marker differs from the stored 2.0"#,
            timestamp: 2000
        ) { storage in
            try storage.load(series: [(up, samples(2000))])
            try storage.appender().append(up, timestamp: 2000, value: staleNaN)
        },
        Case(
            name: "out of bounds", options: .init(minValidTime: 5000), code: .outOfBounds,
            message:
                #"out of bounds sample for series {__name__="up", job="node"}: timestamp 4999 is before the earliest accepted timestamp 5000"#,
            timestamp: 4999
        ) { storage in
            try storage.appender().append(up, timestamp: 4999, value: 1)
        },
        Case(
            name: "too old", options: .init(outOfOrderTimeWindow: 1000), code: .tooOldSample,
            message:
                #"too old sample for series {__name__="up", job="node"}: timestamp 8999 is before 9000, the newest timestamp 10000 minus the out-of-order window of 1000 ms"#,
            timestamp: 8999
        ) { storage in
            try storage.load(series: [(up, samples(10000))])
            try storage.appender().append(up, timestamp: 8999, value: 1)
        },
        Case(
            name: "empty label set", code: .invalidLabels,
            message: "invalid labels {}: a series needs at least one label"
        ) { storage in
            try storage.appender().append(Labels(), timestamp: 1, value: 1)
        },
        Case(
            name: "only empty values", code: .invalidLabels,
            message: "invalid labels {}: a series needs at least one label"
        ) { storage in
            try storage.appender().append(["job": ""], timestamp: 1, value: 1)
        },
        Case(
            name: "empty label name", code: .invalidLabels,
            message: #"invalid labels {="x", __name__="up"}: empty label name (with value "x")"#
        ) { storage in
            try storage.appender().append(["__name__": "up", "": "x"], timestamp: 1, value: 1)
        },
        Case(
            name: "no metric name", code: .invalidLabels,
            message: #"invalid labels {job="node"}: no metric name (label "__name__")"#
        ) { storage in
            try storage.appender().append(["job": "node"], timestamp: 1, value: 1)
        },
        Case(
            name: "series limit", options: .init(maxSeries: 1), code: .limitExceeded,
            message: #"series limit of 1 reached: cannot create series {__name__="up", job="other"}"#
        ) { storage in
            try storage.load(series: [(up, samples(1))])
            try storage.appender().append(Labels.metric("up", ["job": "other"]), timestamp: 1, value: 1)
        },
        Case(
            name: "label name length", options: .init(maxLabelNameLength: 8), code: .limitExceeded,
            message:
                #"label name "instance_id" of series {__name__="up", instance_id="a"} is 11 bytes long, above the limit of 8"#
        ) { storage in
            try storage.appender().append(Labels.metric("up", ["instance_id": "a"]), timestamp: 1, value: 1)
        },
        Case(
            name: "label value length", options: .init(maxLabelValueLength: 3), code: .limitExceeded,
            message:
                #"value of label "job" of series {__name__="up", job="node"} is 4 bytes long, above the limit of 3"#
        ) { storage in
            try storage.appender().append(up, timestamp: 1, value: 1)
        },
        Case(
            name: "unknown reference", code: .unknownSeriesReference,
            message: "unknown series reference 42 for the sample at 1000: append it with its labels instead",
            timestamp: 1000
        ) { storage in
            try storage.appender().append(SeriesRef(rawValue: 42), timestamp: 1000, value: 1)
        },
        Case(
            name: "appender used after commit", code: .appenderClosed,
            message:
                #"appender already committed or rolled back (series {__name__="up", job="node"}): take a new appender for the next transaction"#,
            timestamp: 2
        ) { storage in
            let appender = storage.appender()
            try appender.commit()
            try appender.append(up, timestamp: 2, value: 1)
        },
        Case(
            name: "commit after rollback", code: .appenderClosed,
            message: "appender already committed or rolled back: take a new appender for the next transaction"
        ) { storage in
            let appender = storage.appender()
            try appender.rollback()
            try appender.commit()
        },
    ]

    @Test(arguments: cases)
    func errorCodeAndMessage(_ testCase: Case) throws {
        let storage = MemoryStorage(options: testCase.options)
        let error = try #require(throws: StorageError.self) { try testCase.act(storage) }
        #expect(error.code == testCase.code)
        #expect(error.message == testCase.message)
        #expect(error.description == testCase.message)
        #expect(error.timestamp == testCase.timestamp)
        #expect(error.cause == nil)
        if testCase.code != .appenderClosed {
            #expect(storage.statistics.rejectedSamples[testCase.code] == 1)
        }
    }

    @Test func errorsNameTheirSeries() throws {
        let storage = MemoryStorage()
        try storage.load(series: [(Self.up, samples(2000))])
        let error = try #require(throws: StorageError.self) {
            try storage.appender().append(Self.up, timestamp: 1000, value: 1)
        }
        #expect(error.series == Self.up)
    }

    @Test func causeIsPartOfTheDescription() {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "no space left on device" } }
        let error = StorageError(.init("io"), "cannot write WAL segment 00000003", cause: DiskFull())
        #expect(error.description == "cannot write WAL segment 00000003: no space left on device")
        #expect(error.code == StorageError.Code("io"))
        #expect(error.code.description == "io")
    }
}
