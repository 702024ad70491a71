import VigilCollectors
import VigilGPU
import VigilModel

/// The GPU backend as one of the agent's collectors: readings exposed with dcgm-exporter's names.
/// A backend that fails leaves the GPU metrics out for that collection and counts an error.
public struct GPUCollector: Collector {
    public let name = "gpu"
    public let backend: any GPUBackend
    public let format: DCGMExporterFormat

    public init(backend: any GPUBackend, format: DCGMExporterFormat) {
        self.backend = backend
        self.format = format
    }

    public func collect(into output: inout CollectorOutput) {
        do {
            let readings = try backend.read()
            output.metrics.append(contentsOf: format.metrics(for: readings))
        } catch {
            output.report("gpu backend \(backend.name)", error.message)
        }
    }
}
