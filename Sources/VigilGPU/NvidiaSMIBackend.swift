/// Reads GPUs by running `nvidia-smi -q -x` and parsing its XML (``NvidiaSMIXML``).
///
/// The fallback when NVML can't be loaded directly. Each ``read()`` starts one nvidia-smi and waits at most
/// ``timeout`` for it; one that hangs is killed (see ``NvidiaSMIRunner``).
public struct NvidiaSMIBackend: GPUBackend {
    public var name: String { "nvidia-smi" }
    /// The nvidia-smi to run; nil: the first `nvidia-smi` on ``searchPath``.
    public var executablePath: String?
    /// Where to look for nvidia-smi when ``executablePath`` is nil; nil: the `PATH` environment variable.
    public var searchPath: String?
    /// How long nvidia-smi may take. It takes about 0.1 s per GPU on a healthy machine.
    public var timeout: Duration
    private let runner: NvidiaSMIRunner

    public init(executablePath: String? = nil, searchPath: String? = nil, timeout: Duration = .seconds(10)) {
        self.executablePath = executablePath
        self.searchPath = searchPath
        self.timeout = timeout
        self.runner = NvidiaSMIRunner()
    }

    /// Throws ``GPUError/Code/unavailable`` when there is no nvidia-smi, ``GPUError/Code/callFailed`` when it
    /// fails or hangs, ``GPUError/Code/malformedOutput`` when its output can't be read.
    ///
    /// nvidia-smi exits non-zero when one GPU can't be queried but may still print the others; those are kept.
    public func read() throws(GPUError) -> [GPUReading] {
        let executable = try resolvedExecutable()
        let output = try runner.run(executable, arguments: ["-q", "-x"], timeout: timeout)
        switch output.termination {
        case .exited(0), .unknown:
            return try NvidiaSMIXML.parse(output.stdout)
        case .exited(let status):
            if let readings = try? NvidiaSMIXML.parse(output.stdout), !readings.isEmpty { return readings }
            throw GPUError(.callFailed, "\(executable) -q -x exited with status \(status): \(Self.message(output))")
        case .signaled(let signal):
            throw GPUError(.callFailed, "\(executable) -q -x was killed by signal \(signal): \(Self.message(output))")
        }
    }

    /// The nvidia-smi ``read()`` runs.
    public func resolvedExecutable() throws(GPUError) -> String {
        if let executablePath {
            guard NvidiaSMIRunner.exists(executablePath) else {
                throw GPUError(.unavailable, "\(executablePath) not found: is the NVIDIA driver installed?")
            }
            guard NvidiaSMIRunner.isExecutable(executablePath) else {
                throw GPUError(.unavailable, "\(executablePath) is not executable")
            }
            return executablePath
        }
        let directories = searchPath ?? NvidiaSMIRunner.environmentValue("PATH") ?? "/usr/bin:/bin"
        guard let found = NvidiaSMIRunner.find("nvidia-smi", searchPath: directories) else {
            throw GPUError(.unavailable, "nvidia-smi not found in \(directories): is the NVIDIA driver installed?")
        }
        return found
    }

    /// What nvidia-smi said: stderr, or stdout where it writes most of its errors, shortened.
    static func message(_ output: NvidiaSMIRunner.Output) -> String {
        for bytes in [output.stderr, output.stdout] {
            let text = String(decoding: bytes, as: UTF8.self)
                .split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(while: \.isWhitespace) }
                .filter { !$0.isEmpty }.joined(separator: " ")
            if !text.isEmpty { return text.count > 500 ? String(text.prefix(500)) + "…" : text }
        }
        return "no output"
    }
}
