import Foundation
import Testing
import VigilGPU

@Suite struct SMIReportTests {
    @Test func tableHasARowPerGPUAndTheProcesses() {
        var hot = sampleReading(index: 1)
        hot.gpuTemperatureCelsius = 90
        hot.slowdownTemperatureCelsius = 87
        hot.shutdownTemperatureCelsius = 92
        let text = SMIReport.text([sampleReading(), hot], hostname: "gpu-node-01", backend: "sim", color: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "gpu-node-01 · 2 GPU(s) · driver 550.90.07 · CUDA ? · via sim")
        #expect(lines[2].hasPrefix("GPU  Name"))
        #expect(
            lines[3].contains("97 %") && lines[3].contains("70000 / 81559 MiB") && lines[3].contains("sw_power_cap"))
        #expect(lines[3].hasSuffix("OK"))
        #expect(lines[4].hasSuffix("CRIT"))
        #expect(
            text.contains("GPU 1 CRIT: temperature 90 °C is near shutdown (92 °C) — check power delivery and cooling"))
        #expect(
            text.contains("4242") && text.contains("job 123456") && text.contains("alice") && text.contains("69000 MiB")
        )
        #expect(!text.contains("\u{1B}["))
    }

    @Test func coloursOnlyWhenAskedAndNeverAlone() {
        let text = SMIReport.text([sampleReading()], hostname: "h", backend: "sim", color: true)
        #expect(text.contains("\u{1B}[32mOK\u{1B}[0m"))
    }

    @Test func lostGPURow() {
        var lost = sampleReading()
        lost.isLost = true
        let text = SMIReport.text([lost], hostname: "h", backend: "nvml", color: false)
        #expect(text.contains("GPU 0 CRIT: GPU is lost"))
    }

    @Test func jsonCarriesReadingsAndVerdicts() throws {
        let json = try SMIReport.json([sampleReading()], hostname: "h", backend: "sim")
        let document = try JSONDecoder().decode(SMIReport.Document.self, from: Data(json.utf8))
        #expect(document.gpus.count == 1)
        #expect(document.gpus[0].reading == sampleReading())
        #expect(document.gpus[0].health.status == .ok)
    }
}
