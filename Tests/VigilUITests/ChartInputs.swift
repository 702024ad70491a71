import Foundation
import VigilModel
import VigilUI

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Fixed chart inputs for the snapshot tests, built with integer arithmetic only (no `sin`, whose last bits may
/// differ between platforms), so that the rendered bytes are the same everywhere.
enum ChartInputs {
    /// 2025-03-14T12:00:00Z.
    static let noon: Int64 = 1_741_953_600_000
    static let step: Int64 = 15_000

    /// A triangle wave between `low` and `high` with the given period (in steps), shifted by `phase` steps.
    static func triangle(_ index: Int, period: Int, phase: Int, low: Double, high: Double) -> Double {
        let position = (index + phase) % period
        let half = period / 2
        let rise = position <= half ? position : period - position
        return low + (high - low) * Double(rise) / Double(half)
    }

    /// One hour of GPU utilisation on three GPUs at a 15 s step: GPU 1 has a five-minute hole (a gap) and
    /// GPU 2 a NaN sample and a lone sample between two holes.
    static var gpuUtilisation: TimeSeriesChart {
        var series: [ChartSeries] = []
        for gpu in 0..<3 {
            var samples: [Sample] = []
            for index in 0...240 {
                if gpu == 1 && (100..<120).contains(index) { continue }
                if gpu == 2 && ((170..<180).contains(index) || (181..<190).contains(index)) { continue }
                let value =
                    gpu == 2 && index == 60
                    ? Double.nan : triangle(index, period: 80, phase: gpu * 23, low: 20, high: 95)
                samples.append(Sample(noon + Int64(index) * step, value))
            }
            series.append(
                ChartSeries(
                    labels: [
                        "__name__": "DCGM_FI_DEV_GPU_UTIL", "Hostname": "node-01", "gpu": String(gpu),
                    ], samples: samples))
        }
        return TimeSeriesChart(
            title: "GPU utilisation", series: series, start: noon, end: noon + 240 * step, step: step, unit: .percent,
            valueRange: 0...100, width: 640, height: 220, idPrefix: "util")
    }

    /// Framebuffer memory used, in bytes, on two GPUs over 20 minutes at a 1 min step.
    static var memoryBytes: TimeSeriesChart {
        let gib = 1024.0 * 1024 * 1024
        let series = (0..<2).map { gpu in
            ChartSeries(
                labels: ["gpu": String(gpu)], name: "GPU \(gpu) memory used",
                samples: (0...20).map { (index: Int) -> Sample in
                    let wobble: Double = 2.5 * Double((index * (gpu + 3)) % 9)
                    return Sample(noon + Int64(index) * 60_000, gib * (20 + wobble))
                })
        }
        return TimeSeriesChart(
            title: "Memory used", series: series, start: noon, end: noon + 20 * 60_000, step: 60_000, unit: .bytes,
            width: 480, height: 200, idPrefix: "mem")
    }

    /// 5000 raw samples in a 400 px wide chart: downsampled to min/max per column.
    static var dense: TimeSeriesChart {
        let samples = (0..<5000).map { (index: Int) -> Sample in
            let spike: Double = index == 2500 ? 400 : 0
            return Sample(noon + Int64(index) * 1000, Double((index * 7919) % 1000) / 10 + spike)
        }
        return TimeSeriesChart(
            title: "Power draw", series: [ChartSeries(labels: ["gpu": "0"], samples: samples)], start: noon,
            end: noon + 5_000_000, unit: .watts, width: 400, height: 160, idPrefix: "power")
    }

    /// A small fleet: 4 nodes × 8 GPUs of utilisation, with unhealthy GPUs, missing data and a node that
    /// reports only 4 GPUs.
    static var fleet: HeatmapChart {
        let rows = (1...4).map { node in
            let name = "node-0\(node)"
            let gpus = node == 4 ? 4 : 8
            return HeatmapChart.Row(
                label: name, href: "/ui/node/\(name)",
                cells: (0..<gpus).map { gpu in
                    let value: Double? = node == 2 && gpu == 5 ? nil : Double((node * 37 + gpu * 13) % 101)
                    return HeatmapChart.Cell(
                        value: value, unhealthy: node == 3 && (gpu == 1 || gpu == 6),
                        labels: ["UUID": "GPU-\(node)\(gpu)aa-bb", "modelName": "NVIDIA H100 80GB HBM3"],
                        href: "/ui/node/\(name)?gpu=\(gpu)")
                })
        }
        return HeatmapChart(
            title: "GPU utilisation by node", columnLabels: (0..<8).map { String($0) }, columnName: "GPU", rows: rows,
            unit: .percent,
            valueRange: 0...100, idPrefix: "fleet")
    }
}

/// Whether `text` is well-formed XML (Foundation's parser; it fails on unescaped `<` or `&`).
func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
}

/// How often `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// The value of attribute `name` in one element's text (`d` in `<path d="M0 0"…>`), "" when absent.
func attribute(_ name: String, of element: String) -> String {
    guard let start = element.range(of: " " + name + "=\"") else { return "" }
    let rest = element[start.upperBound...]
    return String(rest.prefix { $0 != "\"" })
}
