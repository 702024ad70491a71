import CNVML
import Foundation
import Testing

@testable import VigilGPU

/// Loading libnvidia-ml: paths, required symbols, errors, and the C layouts Swift sees.
@Suite struct NVMLLibraryTests {
    @Test func structLayoutsMatchNVML() {
        #expect(MemoryLayout<nvmlPciInfo_t>.size == 68)
        #expect(MemoryLayout<nvmlMemory_t>.size == 24)
        #expect(MemoryLayout<nvmlMemory_v2_t>.size == 40)
        #expect(CNVML_MEMORY_V2_VERSION == 0x0200_0028)
        #expect(CNVML_MEMORY_V2_VERSION == UInt32(MemoryLayout<nvmlMemory_v2_t>.size) | 2 << 24)
        #expect(MemoryLayout<nvmlProcessInfo_v1_t>.size == 16)
        #expect(MemoryLayout<nvmlProcessInfo_t>.size == 24)
        #expect(MemoryLayout<nvmlProcessUtilizationSample_t>.size == 32)
        #expect(MemoryLayout<nvmlDeviceAttributes_t>.size == 40)
        #expect(MemoryLayout<nvmlEventData_t>.size == 32)
        #expect(MemoryLayout<nvmlFieldValue_t>.size == 40)
        #expect(MemoryLayout<nvmlFieldValue_t>.offset(of: \.value) == 32)
        #expect(MemoryLayout<nvmlUtilization_t>.size == 8)
    }

    @Test func missingLibraryIsUnavailable() {
        let error = #expect(throws: GPUError.self) {
            try NVMLBackend(libraryPath: "/nonexistent/libnvidia-ml.so.1", listenForXIDs: false)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("/nonexistent/libnvidia-ml.so.1") == true)
        #expect(error?.message.contains("VIGIL_NVML_LIBRARY") == true)
    }

    @Test func aFileThatIsNotALibraryIsUnavailable() throws {
        let path = FakeNVML.scratchDirectory + "/not-a-library-\(UUID().uuidString).so"
        try "not ELF".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: GPUError.self) { try NVMLBackend(libraryPath: path, listenForXIDs: false) }
        #expect(error?.code == .unavailable)
    }

    @Test(.enabled(if: FakeNVML.canRun, FakeNVML.skipReason))
    func driverWithoutInitV2IsUnsupported() throws {
        let path = try FakeNVML.library(.noInitV2)
        let error = #expect(throws: GPUError.self) { try NVMLBackend(libraryPath: path, listenForXIDs: false) }
        #expect(error?.code == .unsupported)
        #expect(error?.message.contains("lacks nvmlInit_v2: driver too old") == true)
    }

    @Test func pathComesFromArgumentThenEnvironmentThenSoname() {
        #expect(NVMLLibrary.resolvedPath(explicit: "/a/lib.so", environment: "/b/lib.so") == "/a/lib.so")
        #expect(NVMLLibrary.resolvedPath(explicit: nil, environment: "/b/lib.so") == "/b/lib.so")
        #expect(NVMLLibrary.resolvedPath(explicit: nil, environment: "") == "libnvidia-ml.so.1")
        #expect(NVMLLibrary.resolvedPath(explicit: nil, environment: nil) == "libnvidia-ml.so.1")
    }

    @Test(.enabled(if: FakeNVML.canRun, FakeNVML.skipReason))
    func initialisesOnceAndShutsDownOnDeinit() throws {
        let fake = try FakeNVML.privateCopy(.current)
        #expect(fake.initCount() == 0)
        do {
            let backend = try NVMLBackend(libraryPath: fake.path, listenForXIDs: true, xidWaitMilliseconds: 10)
            #expect(fake.initCount() == 1)
            #expect(try backend.read().count == 2)
            #expect(backend.libraryPath == fake.path)
        }
        #expect(fake.initCount() == 0)
    }

    @Test(.enabled(if: FakeNVML.canRun, FakeNVML.skipReason))
    func oldDriverResolvesFallbackSymbols() throws {
        let path = try FakeNVML.library(.old)
        let library = try NVMLLibrary(path: path)
        let nvml = library.functions
        #expect(nvml.memoryInfoV2 == nil)
        #expect(nvml.memoryInfo != nil)
        #expect(nvml.pciInfo != nil)  // nvmlDeviceGetPciInfo_v2
        #expect(nvml.computeProcesses == nil)
        #expect(nvml.computeProcessesV1 != nil)
        #expect(nvml.clockEventReasons != nil)  // nvmlDeviceGetCurrentClocksThrottleReasons
        #expect(nvml.cudaDriverVersion != nil)  // nvmlSystemGetCudaDriverVersion
        #expect(nvml.eventSetWait == nil)
        #expect(library.describe(NVML_ERROR_GPU_IS_LOST) == "GPU is lost")
    }
}

// MARK: - The fake libnvidia-ml

/// Builds FakeNVML/fake_nvml.c into libnvidia-ml.so.1 variants with the system C compiler.
///
/// Each variant is compiled once per test process. Tests that change the fake's state (lost GPUs,
/// queued XIDs) load a private copy: a copy is a different file, so dlopen loads a separate instance.
enum FakeNVML {
    enum Variant: String, Sendable {
        case current
        case old
        case noInitV2

        var define: [String] {
            switch self {
            case .current: []
            case .old: ["-DFAKE_NVML_OLD"]
            case .noInitV2: ["-DFAKE_NVML_NO_INIT_V2"]
            }
        }
    }

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let source = sourceDirectory + "/FakeNVML/fake_nvml.c"
    static let includeDirectory = sourceDirectory + "/../../Sources/CNVML/include"

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let compiler: String? = {
        if let cc = ProcessInfo.processInfo.environment["CC"], !cc.isEmpty { return cc }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["cc", "gcc", "clang"]
            where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }()
    /// Without a compiler the fake can't be built: skip, except in CI where that's a broken image.
    static let canRun = compiler != nil || isCI
    static let skipReason: Comment = "no C compiler (cc) to build the fake libnvidia-ml; install one or set CC"

    /// Per process (another `swift test` may be building its own), removed when the process exits.
    static let scratchDirectory: String = {
        let path = NSTemporaryDirectory() + "vigil-fake-nvml-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FakeNVML.scratchDirectory) }
        return path
    }()

    private static let current = Result { try build(.current) }
    private static let old = Result { try build(.old) }
    private static let noInitV2 = Result { try build(.noInitV2) }

    /// The shared build of a variant (don't change its state: other tests load it too).
    static func library(_ variant: Variant) throws -> String {
        switch variant {
        case .current: try current.get()
        case .old: try old.get()
        case .noInitV2: try noInitV2.get()
        }
    }

    /// A copy of a variant of its own, with the fake's test controls.
    static func privateCopy(_ variant: Variant) throws -> FakeNVMLControls {
        let directory = scratchDirectory + "/copy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/libnvidia-ml.so.1"
        try FileManager.default.copyItem(atPath: try library(variant), toPath: path)
        return try FakeNVMLControls(path: path)
    }

    private static func build(_ variant: Variant) throws -> String {
        guard let compiler else {
            throw BuildError(description: "no C compiler found (CI=true, so this fails rather than skips)")
        }
        let directory = scratchDirectory + "/\(variant.rawValue)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let output = directory + "/libnvidia-ml.so.1"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: compiler)
        process.arguments =
            ["-shared", "-fPIC", "-O1", "-I", includeDirectory] + variant.define + ["-o", output, source]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BuildError(
                description: "\(compiler) failed on \(source): \(String(decoding: message, as: UTF8.self))")
        }
        return output
    }
}

/// A loaded private copy of the fake and its test-only functions.
final class FakeNVMLControls: @unchecked Sendable {
    let path: String
    private let handle: UnsafeMutableRawPointer

    init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw FakeNVML.BuildError(description: "dlopen \(path): \(String(cString: dlerror()))")
        }
        self.path = path
        self.handle = handle
    }

    deinit { dlclose(handle) }

    private func function<T>(_ name: String, as type: T.Type) -> T {
        unsafeBitCast(dlsym(handle, name)!, to: type)
    }

    enum LostMode: Int32 {
        case healthy = 0
        /// Measurements answer GPU_IS_LOST; identity still answers.
        case measurements = 1
        /// Everything answers GPU_IS_LOST, the handle too.
        case everything = 2
    }

    func setLost(gpu: UInt32, _ mode: LostMode) {
        function("fake_nvml_set_lost", as: (@convention(c) (UInt32, Int32) -> Void).self)(gpu, mode.rawValue)
    }

    func pushXID(gpu: UInt32, code: UInt64) {
        function("fake_nvml_push_xid", as: (@convention(c) (UInt32, UInt64) -> Void).self)(gpu, code)
    }

    func refuseEvents(_ refuse: Bool) {
        function("fake_nvml_refuse_events", as: (@convention(c) (Int32) -> Void).self)(refuse ? 1 : 0)
    }

    /// Every per-device call (and the event wait) answers `code`; 0 ends it.
    func failAll(_ code: UInt32) {
        function("fake_nvml_fail_all", as: (@convention(c) (Int32) -> Void).self)(Int32(bitPattern: code))
    }

    /// nvmlDeviceGetCount_v2 answers `code`; 0 ends it.
    func failCount(_ code: UInt32) {
        function("fake_nvml_fail_count", as: (@convention(c) (Int32) -> Void).self)(Int32(bitPattern: code))
    }

    func initCount() -> Int32 {
        function("fake_nvml_init_count", as: (@convention(c) () -> Int32).self)()
    }
}
