import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VigilGPU
import VigilModel
import VigilServer

/// The node page served in-process: from the demo's own simulated nodes (GPU and host series scraped into an
/// in-memory storage every 15 s for ten minutes), and from hand-made series for the edge cases.
@Suite struct DashboardNodeTests {
    static let hostile = "<script>alert(1)</script>"

    /// A clock the test moves.
    final class TestClock: Sendable {
        let milliseconds: Mutex<Int64>
        init(_ start: Int64) { milliseconds = Mutex(start) }
        func now() -> Int64 { milliseconds.withLock { $0 } }
        func advance(_ by: Int64) { milliseconds.withLock { $0 += by } }
    }

    /// Two simulated nodes scraped as `vigil server --demo` scrapes them, ending at the fixture's now. GPU 1
    /// of gpu-node-01 falls off the bus five minutes before the end (XID 79).
    static func demoFixture() async throws -> APIFixture {
        let fixture = APIFixture()
        let clock = TestClock(APIFixture.now - 600_000)
        let cluster = try SimulatedCluster(nodes: 2, seed: 7, now: { clock.now() })
        for _ in 0...40 {
            let time = clock.now()
            if time == APIFixture.now - 300_000 { cluster.withFleet { $0.inject(.fallenOffBus, node: 0, gpu: 1) } }
            for node in 0..<2 {
                let families = try await SimulatedNodeSource(cluster: cluster, node: node).collect()
                let target: Labels = ["instance": "\(cluster.nodeNames[node]):9471", "job": "demo"]
                var series: [(Labels, [(Int64, Double)])] = []
                for family in families {
                    for sample in family.samples {
                        var labels = sample.labels.setting("__name__", to: sample.name)
                        for label in target { labels = labels.setting(label.name, to: label.value) }
                        series.append((labels, [(time, sample.value)]))
                    }
                }
                for (labels, samples) in series { try fixture.add(labels, samples) }
            }
            clock.advance(15_000)
        }
        return fixture
    }

    @Test func demoNodeShowsGPUsHostAndTheLostGPUsAction() async throws {
        let fixture = try await Self.demoFixture()
        try await fixture.app.test(.router) { client in
            let answer = try await client.get("/ui/node/gpu-node-01?range=10m")
            #expect(answer.status == .ok)
            let body = answer.body
            for gpu in 0..<8 { #expect(body.contains("<section class=\"gpu") && body.contains("data-gpu=\"\(gpu)\"")) }
            #expect(body.contains("<section class=\"host\""))
            #expect(body.contains("<main id=\"node\""))
            #expect(body.contains("XID 79: GPU has fallen off the bus — drain and reboot the node"))
            #expect(body.contains("data-status=\"CRIT\""))
            // Host facts and tables from node_exporter-shaped series.
            #expect(body.contains("5.15.0-119-generic"))
            #expect(body.contains("mlx5_0/1"))
            #expect(body.contains("nvme1n1"))
            #expect(body.contains("/raid"))
            // Jobs and processes of the busy GPUs (the demo fleet starts busy).
            let other = try await client.get("/ui/node/gpu-node-02?range=10m").body
            #expect(body.contains("<p class=\"job\"") || other.contains("<p class=\"job\""))
            #expect(body.contains("<table class=\"processes\">") || other.contains("<table class=\"processes\">"))
            // One chart per metric, a line per GPU.
            #expect(body.components(separatedBy: "vigil-timeseries\"").count - 1 >= 10)
            #expect(answer.headers[.init("Server-Timing")!]?.hasPrefix("render;dur=") == true)
        }
    }

    /// 2 GPUs of a hand-made node and, for the hostile name, nothing but its GPU series.
    static func handFixture() throws -> APIFixture {
        let fixture = APIFixture()
        let times = stride(from: APIFixture.now - 300_000, through: APIFixture.now, by: 15_000).map { $0 }
        for (node, gpus) in [("node-a", 2), (hostile, 1)] {
            for gpu in 0..<gpus {
                let labels: Labels = [
                    "Hostname": node, "gpu": String(gpu), "UUID": "GPU-\(gpu)", "modelName": "NVIDIA <b>H100</b>",
                    "instance": "\(node):9471", "job": "demo",
                ]
                func add(_ name: String, _ value: Double, _ extra: Labels = [:]) throws {
                    var series = labels.setting("__name__", to: name)
                    for label in extra { series = series.setting(label.name, to: label.value) }
                    try fixture.add(series, times.map { ($0, value) })
                }
                try add("DCGM_FI_DEV_GPU_UTIL", 90)
                try add("DCGM_FI_DEV_GPU_TEMP", 60)
                try add("DCGM_FI_DEV_XID_ERRORS", gpu == 1 ? 79 : 0)
                if gpu == 1 { try add("vigil_gpu_xid_errors_total", 1, ["xid": "79"]) }
                try add(
                    "vigil_gpu_process_info", 1,
                    ["pid": "4242", "process_name": hostile, "user": "eve", "job_id": "77"])
                try add("vigil_gpu_job_info", 1, ["job_id": "77", "user": "eve"])
            }
        }
        return fixture
    }

    @Test func xidShownWithTheCatalogsAction() async throws {
        try await Self.handFixture().app.test(.router) { client in
            let answer = try await client.get("/ui/node/node-a")
            #expect(answer.status == .ok)
            #expect(answer.body.contains("XID 79: GPU has fallen off the bus — drain and reboot the node"))
            #expect(answer.body.contains("data-gpu=\"1\" data-status=\"CRIT\""))
            #expect(answer.body.contains("data-gpu=\"0\" data-status=\"OK\""))
            #expect(answer.body.contains("No host metrics for this node"))
            #expect(answer.body.contains("Job 77 · eve"))
        }
    }

    @Test func unknownNodeIsAHelpful404() async throws {
        try await Self.handFixture().app.test(.router) { client in
            let answer = try await client.get("/ui/node/no-such-node")
            #expect(answer.status == .notFound)
            #expect(answer.body.contains("No GPU reports Hostname &quot;no-such-node&quot;"))
            #expect(answer.body.contains("href=\"/\""))
        }
    }

    @Test func hostileNameAndLabelValuesAreEscaped() async throws {
        try await Self.handFixture().app.test(.router) { client in
            let answer = try await client.get("/ui/node/" + encode(Self.hostile))
            #expect(answer.status == .ok)
            #expect(!answer.body.contains("<script>alert"))
            #expect(!answer.body.contains("<b>H100"))
            #expect(answer.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let missing = try await client.get("/ui/node/" + encode("<img src=x onerror=alert(1)>"))
            #expect(missing.status == .notFound)
            #expect(!missing.body.contains("<img"))
        }
    }

    @Test(arguments: ["range=banana", "start=1700000000", "refresh=never"])
    func badParametersAreA400(_ query: String) async throws {
        try await Self.handFixture().app.test(.router) { client in
            let answer = try await client.get("/ui/node/node-a?" + query)
            #expect(answer.status == .badRequest)
            #expect(answer.body.contains("href=\"/ui/node/node-a\""))
        }
    }
}
