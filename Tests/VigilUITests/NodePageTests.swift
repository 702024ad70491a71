import Testing
import VigilModel
import VigilUI

/// The node page rendered from plain values: one tile per GPU with its verdict and action, the host part,
/// charts, escaping of every value from the data.
@Suite struct NodePageTests {
    static let hostile = "<script>alert(1)</script>"
    static let end: Int64 = 1_700_000_000_000
    static let range = TimeRange(start: end - 3_600_000, end: end, step: 15_000)

    static func page(name: String = "gpu-node-01", host: NodePage.Host? = nil) -> NodePage {
        let lost = NodePage.GPU(
            index: "1", model: "NVIDIA H100 80GB HBM3", lost: true,
            verdict: NodePage.Verdict(
                status: .crit,
                findings: [
                    .init(
                        reason: "GPU is lost (fallen off the bus or not answering)", action: "drain and reboot the node"
                    ),
                    .init(reason: "XID 79: GPU has fallen off the bus", action: "drain and reboot the node"),
                ]),
            xids: [
                NodePage.XID(
                    code: 79, count: 1, meaning: "GPU has fallen off the bus", action: "drain and reboot the node")
            ])
        let busy = NodePage.GPU(
            index: "0", model: hostile, uuid: "GPU-0", utilizationPercent: 97, memoryUsedBytes: 64 * 1_073_741_824,
            memoryTotalBytes: 80 * 1_073_741_824, temperatureCelsius: 71, slowdownTemperatureCelsius: 87,
            powerWatts: 650, powerLimitWatts: 700, smClockMHz: 1980, memoryClockMHz: 2619,
            clockEventReasons: ["sw_power_cap"], eccUncorrected: 0, eccCorrected: 3,
            jobs: [NodePage.Job(id: "3000001", user: hostile)],
            processes: [
                NodePage.Process(pid: "4242", name: hostile, user: "alice", jobID: "3000001", memoryBytes: 60e9)
            ])
        let series = ChartSeries(
            labels: ["gpu": "0"], name: "GPU 0",
            samples: [Sample(end - 60_000, 90), Sample(end, 97)])
        let chart = TimeSeriesChart(
            title: "GPU utilisation", series: [series], start: range.start, end: range.end, step: range.step,
            unit: .percent, idPrefix: "gpu-util")
        return NodePage(
            name: name, facts: [NodePage.Fact("Kernel", "5.15.0-119-generic"), NodePage.Fact("Driver", hostile)],
            gpus: [lost, busy], host: host, gpuCharts: [chart], range: range, generatedAt: end)
    }

    @Test func oneTilePerGPUInIndexOrderWithVerdictAndAction() throws {
        let html = try Self.page().render()
        #expect(html.contains("<main id=\"node\""))
        let tiles = html.split(separator: "<section class=\"gpu ")
        #expect(tiles.count == 3)
        #expect(tiles[1].contains("data-gpu=\"0\"") && tiles[2].contains("data-gpu=\"1\""))
        #expect(html.contains("data-gpu=\"1\" data-status=\"CRIT\""))
        #expect(html.contains("✖ CRIT"))
        #expect(html.contains("XID 79: GPU has fallen off the bus — drain and reboot the node"))
        #expect(html.contains("Not answering. GPU is lost"))
        #expect(html.contains("data-gpu=\"0\" data-status=\"OK\""))
        #expect(html.contains("97%"))
        #expect(html.contains("64 GiB of 80 GiB"))
        #expect(html.contains("71 °C (slowdown 87 °C)"))
        #expect(html.contains("650 W of limit 700 W"))
        #expect(html.contains("SM 1980 MHz, memory 2619 MHz"))
        #expect(html.contains("sw_power_cap ▲"))
        #expect(html.contains("0 uncorrectable, 3 corrected"))
        // The time-range picker sits outside the main element that a refresh swaps.
        let main = try Self.page().renderMain()
        #expect(!main.contains("<form"))
        #expect(html.contains("<form"))
        #expect(html.contains("svg"))
        #expect(html.contains("vigil-timeseries"))
    }

    @Test func verdictSummary() {
        #expect(NodePage.Verdict(status: .ok).summary == "healthy")
        let verdict = NodePage.Verdict(
            status: .warn, findings: [.init(reason: "clocks throttled", action: "check cooling")])
        #expect(verdict.summary == "clocks throttled — check cooling")
    }

    @Test func everyValueFromTheDataIsEscaped() throws {
        let html = try Self.page(
            name: Self.hostile,
            host: NodePage.Host(
                instance: Self.hostile + ":9471",
                tables: [
                    NodePage.Table(
                        caption: "Disks", columns: ["Device", "Read"],
                        rows: [NodePage.Row(name: Self.hostile, cells: [Self.hostile], problem: Self.hostile)])
                ])
        ).render()
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("/ui/node/%3Cscript%3Ealert%281%29%3C%2Fscript%3E"))
    }

    @Test func hostPartOrItsAbsence() throws {
        let none = try Self.page().render()
        #expect(none.contains("<section class=\"host\""))
        #expect(none.contains("No host metrics for this node"))
        let host = NodePage.Host(
            instance: "gpu-node-01:9471", cpuBusyPercent: 37.5, load1: 12.3, cpuCount: 32,
            memoryUsedBytes: 512 * 1_073_741_824, memoryTotalBytes: 2048 * 1_073_741_824,
            tables: [
                NodePage.Table(
                    caption: "InfiniBand", columns: ["Port", "State", "Symbol errors"],
                    rows: [
                        NodePage.Row(name: "mlx5_0/1", cells: ["active", "0"]),
                        NodePage.Row(name: "mlx5_3/1", cells: ["active", nil], problem: "symbol errors rising"),
                    ])
            ])
        let html = try Self.page(host: host).render()
        #expect(html.contains("37.5% of 32 CPUs"))
        #expect(html.contains("512 GiB of 2 TiB"))
        #expect(html.contains("<tr class=\"problem\"><th scope=\"row\">mlx5_3/1</th><td>active</td><td>–</td>"))
        #expect(html.contains("▲ symbol errors rising"))
        #expect(!html.contains("No host metrics"))
    }

    @Test func counts() {
        #expect(NodePage.count(3) == "3")
        #expect(NodePage.count(1_234_567) == "1234567")
        #expect(NodePage.count(.nan) == "NaN")
    }
}
