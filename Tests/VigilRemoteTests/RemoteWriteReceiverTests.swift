import Testing
import VigilEncoding
import VigilExposition
import VigilModel
import VigilRemote
import VigilStorage

@Suite("remote_write receiver")
struct RemoteWriteReceiverTests {
    let storage = MemoryStorage()
    let receiver: RemoteWriteReceiver

    init() {
        receiver = RemoteWriteReceiver(appendable: storage, logger: quietLogger, nowMilliseconds: { 1_000_000 })
    }

    func receive(_ request: RemoteWriteRequest) throws(RemoteWriteError) -> RemoteWriteReceiver.Summary {
        try receiver.receive(body: body(request), contentType: "application/x-protobuf", contentEncoding: "snappy")
    }

    func error(
        _ body: [UInt8], contentType: String? = "application/x-protobuf", contentEncoding: String? = "snappy"
    ) -> RemoteWriteError? {
        do throws(RemoteWriteError) {
            _ = try receiver.receive(body: body, contentType: contentType, contentEncoding: contentEncoding)
            return nil
        } catch {
            return error
        }
    }

    @Test func storesEverySampleAndSummarisesTheRequest() throws {
        var request = RemoteWriteRequest(
            timeSeries: [
                series("up", ["job": "node", "empty": ""], [(1000, 1), (2000, 1)]),
                series("gpu_temp", ["gpu": "0"], [(1000, 41.5)]),
            ],
            metadata: [RemoteWriteMetadata(type: .gauge, familyName: "gpu_temp", help: "Temperature.")])
        request.timeSeries[1].exemplars = [Exemplar(labels: ["trace_id": "x"], value: 1, timestampMs: 1000)]
        let summary = try receive(request)
        #expect(summary.series == 2 && summary.samples == 3 && summary.appended == 3)
        #expect(summary.exemplars == 1 && summary.metadata == 1 && summary.rejected.isEmpty)
        #expect(
            try contents(of: storage) == [
                ["__name__": "up", "job": "node"]: [Sample(1000, 1), Sample(2000, 1)],
                ["__name__": "gpu_temp", "gpu": "0"]: [Sample(1000, 41.5)],
            ])
    }

    @Test(
        arguments: [
            (nil, nil), ("", ""), ("application/x-protobuf", "SNAPPY"), (" application/x-protobuf ", "snappy"),
            ("application/x-protobuf;proto=prometheus.WriteRequest", "snappy"),
            ("application/x-protobuf; charset=utf-8", "snappy"),
        ] as [(String?, String?)])
    func acceptsRemoteWrite1Headers(contentType: String?, contentEncoding: String?) throws {
        let request = RemoteWriteRequest(timeSeries: [series("up", [(1000, 1)])])
        let summary = try receiver.receive(
            body: body(request), contentType: contentType, contentEncoding: contentEncoding)
        #expect(summary.appended == 1)
    }

    @Test(arguments: [
        (
            "text/plain", "snappy",
            "expected application/x-protobuf as the first (media) part, got text/plain content-type"
        ),
        (
            "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy",
            "io.prometheus.write.v2.Request protobuf message is not accepted by this server; accepted [prometheus.WriteRequest]"
        ),
        (
            "application/x-protobuf;proto=foo.Bar", "snappy",
            "got application/x-protobuf;proto=foo.Bar content type; unknown remote write protobuf message foo.Bar, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request"
        ),
        (
            "application/x-protobuf;charset", "snappy",
            "expected parameters to be key-values (RFC 9110), got charset in application/x-protobuf;charset content-type"
        ),
        (
            "application/x-protobuf", "gzip",
            "gzip encoding (compression) is not accepted by this server; only snappy is acceptable"
        ),
    ])
    func refusesOtherMediaTypesWith415(contentType: String, contentEncoding: String, message: String) throws {
        let failure = error(
            body(RemoteWriteRequest(timeSeries: [series("up", [(1000, 1)])])), contentType: contentType,
            contentEncoding: contentEncoding)
        #expect(failure == RemoteWriteError(.unsupportedMediaType, message))
        #expect(failure?.httpStatus == 415)
        #expect(try contents(of: storage).isEmpty)
    }

    @Test func refusesABodyThatIsNotSnappy() {
        // Declares 5 bytes, then a literal of 3 bytes of which only 1 is there.
        let failure = error([0x05, 0x08, 0x61])
        #expect(failure?.code == .badCompression)
        #expect(failure?.httpStatus == 400)
        #expect(
            failure?.message == "snappy: at byte 1: literal of 3 bytes runs past the end of the input (1 bytes left)")
    }

    @Test func refusesABodyThatIsNotAWriteRequest() {
        let failure = error(Snappy.compress([0x0a, 0x05, 0x0a]))
        #expect(
            failure
                == RemoteWriteError(
                    .badProtobuf,
                    "protobuf: at byte 1: length 5 of WriteRequest field 1 (timeseries) runs past the end of the WriteRequest (1 bytes left)"
                ))
        #expect(failure?.httpStatus == 400)
    }

    @Test func refusesBodiesOverTheLimitsWith413() {
        let small = RemoteWriteReceiver(
            appendable: storage, options: .init(maxBodyBytes: 10, maxDecompressedBytes: 100), logger: quietLogger)
        let large = Snappy.compress(Array(repeating: 0, count: 200))
        #expect(large.count <= 30)
        var failure: RemoteWriteError?
        do throws(RemoteWriteError) {
            _ = try small.receive(body: Array(repeating: 0, count: 11), contentType: nil, contentEncoding: nil)
        } catch {
            failure = error
        }
        #expect(failure == RemoteWriteError(.tooLarge, "request body of 11 bytes is over the limit of 10 bytes"))
        let roomy = RemoteWriteReceiver(
            appendable: storage, options: .init(maxBodyBytes: 1000, maxDecompressedBytes: 100), logger: quietLogger)
        do throws(RemoteWriteError) { _ = try roomy.receive(body: large, contentType: nil, contentEncoding: nil) } catch
        { failure = error }
        #expect(
            failure
                == RemoteWriteError(
                    .tooLarge, "snappy: at byte 0: snappy block declares 200 decoded bytes, above the limit of 100"))
        #expect(failure?.httpStatus == 413)
    }

    /// Prometheus 3.5's v1 handler: the first out-of-order sample fails the whole request with 400 and
    /// nothing of it is committed, not even the valid series before it.
    @Test func outOfOrderSampleRejectsTheWholeRequestAndCommitsNothing() throws {
        _ = try receive(RemoteWriteRequest(timeSeries: [series("up", [(5000, 1)])]))
        let mixed = RemoteWriteRequest(timeSeries: [
            series("fresh", [(1000, 1), (2000, 2)]),
            series("up", [(6000, 1), (4000, 1)]),
            series("later", [(1000, 1)]),
        ])
        let failure = error(body(mixed))
        #expect(failure?.code == .rejected && failure?.httpStatus == 400)
        #expect(
            failure?.message
                == "out of order sample for series {__name__=\"up\"}: timestamp 4000 is before the series' newest sample at 6000"
        )
        #expect(try contents(of: storage) == [["__name__": "up"]: [Sample(5000, 1)]])
        let rejected = receiver.metricFamilies().first { $0.name == "vigil_remote_write_rejected_samples_total" }!
        let byReason = Dictionary(uniqueKeysWithValues: rejected.samples.map { ($0.labels["reason"]!, $0.value) })
        #expect(byReason["out_of_order"] == 1 && byReason["rolled_back"] == 3)
    }

    @Test func duplicateTimestampIsAcceptedWithTheSameValueAndRejectedWithAnother() throws {
        _ = try receive(RemoteWriteRequest(timeSeries: [series("up", [(1000, 1)])]))
        #expect(try receive(RemoteWriteRequest(timeSeries: [series("up", [(1000, 1)])])).appended == 1)
        let failure = error(body(RemoteWriteRequest(timeSeries: [series("up", [(1000, 2)])])))
        #expect(
            failure
                == RemoteWriteError(
                    .rejected,
                    "duplicate sample for timestamp 1000 in series {__name__=\"up\"}: value 2.0 differs from the stored 1.0"
                ))
    }

    @Test func sampleTooFarInTheFutureIsOutOfBounds() throws {
        // now is 1 000 000 ms; 10 minutes later is 1 600 000.
        #expect(try receive(RemoteWriteRequest(timeSeries: [series("up", [(1_600_000, 1)])])).appended == 1)
        let failure = error(body(RemoteWriteRequest(timeSeries: [series("up", [(1_600_001, 1)])])))
        #expect(
            failure
                == RemoteWriteError(
                    .rejected,
                    "out of bounds sample for series {__name__=\"up\"}: timestamp 1600001 is too far in the future (after 1600000, 600000 ms from now)"
                ))
    }

    @Test func sampleBeforeTheStoragesEarliestTimeIsOutOfBounds() {
        let bounded = MemoryStorage(options: .init(minValidTime: 500))
        let receiver = RemoteWriteReceiver(appendable: bounded, logger: quietLogger, nowMilliseconds: { 1000 })
        do throws(RemoteWriteError) {
            _ = try receiver.receive(
                body: body(RemoteWriteRequest(timeSeries: [series("up", [(400, 1)])])), contentType: nil,
                contentEncoding: nil)
            Issue.record("expected out of bounds")
        } catch {
            #expect(error.code == .rejected)
            #expect(error.message.contains("timestamp 400 is before the earliest accepted timestamp 500"))
        }
    }

    @Test func seriesWithInvalidLabelsAreSkippedAndTheRestStored() throws {
        let request = RemoteWriteRequest(timeSeries: [
            .init(labels: [Label("job", "x")], samples: [Sample(1, 1)]),
            .init(labels: [Label("__name__", "")], samples: [Sample(1, 1), Sample(2, 1)]),
            .init(labels: [Label("__name__", "a"), Label("", "v")], samples: [Sample(1, 1)]),
            .init(labels: [Label("__name__", "b"), Label("x", "1"), Label("x", "2")], samples: [Sample(1, 1)]),
            series("ok", [(1, 1)]),
        ])
        let summary = try receive(request)
        #expect(summary.appended == 1)
        #expect(summary.rejected == [RemoteWriteReceiver.RejectionReason.invalidLabels: 5])
        #expect(try contents(of: storage) == [["__name__": "ok"]: [Sample(1, 1)]])
    }

    @Test func histogramsAreCountedAndSkipped() throws {
        // TimeSeries { labels {__name__="h"}, samples {value 1, timestamp 1}, histograms {} × 3 }: the encoder
        // writes no histograms, so the series is put together by hand.
        let label: [UInt8] = [0x0a, 0x08] + Array("__name__".utf8) + [0x12, 0x01, UInt8(ascii: "h")]
        let sample: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x01]
        let timeSeries: [UInt8] =
            [0x0a, UInt8(label.count)] + label + [0x12, UInt8(sample.count)] + sample
            + [0x22, 0x00, 0x22, 0x02, 0x08, 0x01, 0x22, 0x00]
        let protobuf: [UInt8] = [0x0a, UInt8(timeSeries.count)] + timeSeries
        let summary = try receiver.receive(
            body: Snappy.compress(protobuf), contentType: nil, contentEncoding: nil)
        #expect(summary.histograms == 3 && summary.appended == 1)
        let skipped = receiver.metricFamilies().first { $0.name == "vigil_remote_write_skipped_histograms_total" }
        #expect(skipped?.samples.first?.value == 3)
    }

    @Test func storageFailureIs500() {
        let limited = MemoryStorage(options: .init(maxSeries: 1))
        let receiver = RemoteWriteReceiver(appendable: limited, logger: quietLogger)
        do throws(RemoteWriteError) {
            _ = try receiver.receive(
                body: body(RemoteWriteRequest(timeSeries: [series("a", [(1, 1)]), series("b", [(1, 1)])])),
                contentType: nil, contentEncoding: nil)
            Issue.record("expected a storage error")
        } catch {
            #expect(error.code == .storage && error.httpStatus == 500)
        }
    }

    @Test func countsRequestsByStatus() throws {
        _ = try receive(RemoteWriteRequest(timeSeries: [series("up", [(1000, 1)])]))
        _ = error([0xff], contentType: "text/plain")
        _ = error([0xff])
        let requests = receiver.metricFamilies().first { $0.name == "vigil_remote_write_received_requests_total" }!
        #expect(requests.samples.map { "\($0.labels["code"]!)=\($0.value)" } == ["204=1.0", "400=1.0", "415=1.0"])
        let received = receiver.metricFamilies().first { $0.name == "vigil_remote_write_appended_samples_total" }!
        #expect(received.samples.first?.value == 1)
    }
}
