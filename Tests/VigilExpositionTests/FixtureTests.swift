import Testing
import VigilExposition
import VigilModel

@Suite("Real exporter output")
struct FixtureTests {
    @Test func nodeExporter() throws {
        let families = try ExpositionParser.parseFamilies(bytes: try fixture("node_exporter.txt"), format: .text)
        #expect(families.count == 283)
        #expect(families.reduce(0) { $0 + $1.samples.count } == 507)
        let byName = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0) })

        let cpu = try #require(byName["node_cpu_seconds_total"])
        #expect(cpu.type == .counter)
        #expect(cpu.help == "Seconds the CPUs spent in each mode.")
        #expect(
            cpu.samples.first
                == MetricSample(name: "node_cpu_seconds_total", labels: ["cpu": "0", "mode": "idle"], value: 128.2))

        #expect(byName["node_boot_time_seconds"]?.samples.first?.value == 1_795_975_801)
        #expect(byName["node_load1"]?.samples.first?.value == 2.93)
        #expect(byName["node_memory_MemTotal_bytes"]?.samples.first?.value == 25_276_510_208)
        #expect(byName["node_vmstat_oom_kill"]?.type == .unknown)

        let gc = try #require(byName["go_gc_duration_seconds"])
        #expect(gc.type == .summary)
        #expect(gc.samples.map(\.name).suffix(2) == ["go_gc_duration_seconds_sum", "go_gc_duration_seconds_count"])
        #expect(gc.samples[0].labels["quantile"] == "0")

        let uname = try #require(byName["node_uname_info"]?.samples.first)
        #expect(uname.labels["machine"] == "x86_64")
        #expect(uname.labels["sysname"] == "Linux")
    }

    /// Parsing node_exporter's output and encoding it again gives back the same bytes: the encoder writes
    /// what client_golang writes, down to float formatting.
    @Test func nodeExporterReencodesByteForByte() throws {
        let bytes = try fixture("node_exporter.txt")
        let families = try ExpositionParser.parseFamilies(bytes: bytes, format: .text)
        let output = ExpositionEncoder.encode(families, format: .text)
        #expect(String(decoding: output, as: UTF8.self) == String(decoding: bytes, as: UTF8.self))
    }

    @Test func dcgmExporter() throws {
        let families = try ExpositionParser.parseFamilies(bytes: try fixture("dcgm_exporter.txt"), format: .text)
        #expect(families.count == 21)
        #expect(families.allSatisfy { $0.samples.count == 8 })
        let byName = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0) })

        let temperature = try #require(byName["DCGM_FI_DEV_GPU_TEMP"])
        #expect(temperature.type == .gauge)
        #expect(temperature.help == "GPU temperature (in C).")
        let gpu3 = try #require(temperature.samples.first { $0.labels["gpu"] == "3" })
        #expect(gpu3.value == 47)
        #expect(gpu3.labels["modelName"] == "NVIDIA H100 80GB HBM3")
        #expect(gpu3.labels["namespace"] == "ml-training")
        // dcgm-exporter writes labels unsorted; the model keeps them sorted.
        #expect(gpu3.labels.map(\.name) == gpu3.labels.map(\.name).sorted())

        #expect(byName["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"]?.type == .counter)
        #expect(byName["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"]?.samples[0].value == 83_412_345_678)
        #expect(byName["DCGM_FI_DEV_XID_ERRORS"]?.samples[0].labels["err_msg"] == "No Error")
        #expect(byName["DCGM_FI_PROF_GR_ENGINE_ACTIVE"]?.samples[0].value == 0.991234)
        let idle = byName["DCGM_FI_DEV_GPU_UTIL"]?.samples.first { $0.labels["gpu"] == "6" }
        #expect(idle?.labels["pod"] == nil)
    }

    @Test func openMetrics() throws {
        let families = try ExpositionParser.parseFamilies(bytes: try fixture("openmetrics.txt"), format: .openMetrics)
        #expect(
            families.map(\.name) == [
                "acme_http_router_request_seconds", "go_goroutines", "process_cpu_seconds_total", "acme_requests_total",
                "rpc_duration_seconds", "http_request_duration_seconds", "queue_wait_seconds", "acme_build_info",
                "cpu_state",
                "temperature_celsius", "acme.utf8.metric", "untyped_thing",
            ])
        #expect(
            families.map(\.type) == [
                .summary, .gauge, .counter, .counter, .summary, .histogram, .gaugehistogram, .info, .stateset, .gauge,
                .gauge, .unknown,
            ])
        let byName = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0) })

        let router = try #require(byName["acme_http_router_request_seconds"])
        #expect(router.unit == "seconds")
        #expect(router.help == "Latency though all of ACME's HTTP request router.")
        #expect(router.samples.count == 6)
        #expect(
            router.samples[2]
                == MetricSample(
                    name: "acme_http_router_request_seconds_created", labels: ["path": "/api/v1", "method": "GET"],
                    value: 1_605_281_325))

        #expect(
            byName["process_cpu_seconds_total"]?.samples == [
                MetricSample(name: "process_cpu_seconds_total", value: 4_200_722.46)
            ])

        let requests = try #require(byName["acme_requests_total"])
        #expect(requests.help == #"Requests handled, with a "quoted" word and a \ backslash."#)
        #expect(requests.samples[0].timestampMs == 1_520_879_607_789)
        #expect(
            requests.samples[0].exemplar
                == Exemplar(labels: ["trace_id": "KOO5S4vxi0o"], value: 0.67, timestampMs: 1_520_879_602_012))
        #expect(requests.samples[1].name == "acme_requests_created")
        #expect(requests.samples[1].value == 1_520_430_000.123)

        let histogram = try #require(byName["http_request_duration_seconds"])
        #expect(histogram.samples.count == 9)
        #expect(histogram.samples[1].exemplar == Exemplar(labels: ["trace_id": "3b8f2a7c"], value: 0.067))
        #expect(histogram.samples[3].exemplar?.labels == ["trace_id": "9c1d0e4f", "span_id": "11aa"])
        #expect(histogram.samples[3].exemplar?.timestampMs == 1_520_879_607_500)
        #expect(histogram.samples[5].labels["le"] == "+Inf")
        #expect(histogram.samples.last?.name == "http_request_duration_seconds_created")

        let queue = try #require(byName["queue_wait_seconds"])
        #expect(queue.samples.map(\.name).suffix(2) == ["queue_wait_seconds_gcount", "queue_wait_seconds_gsum"])
        #expect(queue.samples[0].exemplar?.value == 0.005)

        #expect(byName["acme_build_info"]?.samples.first?.labels["version"] == "1.2.3")
        #expect(byName["cpu_state"]?.samples.map(\.value) == [1, 0, 0, 1])

        let temperature = try #require(byName["temperature_celsius"]?.samples)
        #expect(temperature[0].value == -3.5)
        #expect(temperature[0].timestampMs == 1_520_879_607_000)
        #expect(temperature[1].value.isNaN)
        #expect(temperature[2].value == .infinity)

        #expect(
            byName["acme.utf8.metric"]?.samples == [
                MetricSample(name: "acme.utf8.metric", labels: ["host.name": "db-1", "région": "eu"], value: 2.5)
            ])
    }

    @Test func openMetricsFixtureRoundTripsThroughTheEncoder() throws {
        let families = try ExpositionParser.parseFamilies(bytes: try fixture("openmetrics.txt"), format: .openMetrics)
        let again = try ExpositionParser.parseFamilies(
            bytes: ExpositionEncoder.encode(families, format: .openMetrics), format: .openMetrics)
        #expect(again == families)
    }
}
