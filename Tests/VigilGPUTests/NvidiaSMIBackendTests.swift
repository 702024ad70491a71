import Foundation
import Testing
import VigilGPU

/// The backend against fake `nvidia-smi` programs: shell scripts written into a temporary folder.
@Suite struct NvidiaSMIBackendTests {
    /// A temporary folder holding an executable `nvidia-smi` that runs `script` with /bin/sh.
    struct FakeSMI {
        let folder: URL
        var path: String { folder.appendingPathComponent("nvidia-smi").path }

        init(_ script: String, executable: Bool = true) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-smi-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try ("#!/bin/sh\n" + script + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    static let twoGPUs = """
        <?xml version="1.0" ?>
        <nvidia_smi_log><driver_version>550.54.15</driver_version>
        <gpu id="00000000:17:00.0"><product_name>NVIDIA H100 80GB HBM3</product_name><uuid>GPU-one</uuid>
        <fb_memory_usage><used>1024 MiB</used></fb_memory_usage></gpu>
        <gpu id="00000000:2A:00.0"><product_name>NVIDIA H100 80GB HBM3</product_name><uuid>GPU-two</uuid></gpu>
        </nvidia_smi_log>
        """

    /// A script printing `twoGPUs`, after checking that it was asked for `-q -x`.
    static let printsTwoGPUs = """
        [ "$*" = "-q -x" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
        cat <<'EOF'
        \(twoGPUs)
        EOF
        """

    @Test func name() {
        #expect(NvidiaSMIBackend().name == "nvidia-smi")
    }

    @Test func readsWhatNvidiaSMIPrints() throws {
        let fake = try FakeSMI(Self.printsTwoGPUs)
        defer { fake.remove() }
        let readings = try NvidiaSMIBackend(executablePath: fake.path).read()
        #expect(readings.map(\.identity.uuid) == ["GPU-one", "GPU-two"])
        #expect(readings.map(\.identity.pciBusID) == ["00000000:17:00.0", "00000000:2A:00.0"])
        #expect(readings[0].memoryUsedBytes == 1024 * 1_048_576.0)
        #expect(readings[0].identity.driverVersion == "550.54.15")
    }

    @Test(.enabled(if: SharedFixtures.available, "../shared is absent: nvidia-smi fixtures skipped"))
    func readsARealCapture() throws {
        let file = SharedFixtures.nvidiaSMI.appendingPathComponent("xml/telegraf__dual_a5000-v13.xml").path
        let fake = try FakeSMI("exec cat '\(file)'")
        defer { fake.remove() }
        let readings = try NvidiaSMIBackend(executablePath: fake.path).read()
        #expect(readings.count == 2)
        #expect(readings.map(\.powerUsageWatts) == [6.41, 13.60])
        #expect(readings.map { $0.processes.map(\.pid) } == [[100477], [100477]])
    }

    @Test func findsNvidiaSMIOnTheSearchPath() throws {
        let fake = try FakeSMI(Self.printsTwoGPUs)
        defer { fake.remove() }
        let backend = NvidiaSMIBackend(searchPath: "/nonexistent/bin::" + fake.folder.path)
        #expect(try backend.resolvedExecutable() == fake.path)
        #expect(try backend.read().count == 2)
    }

    @Test func notOnTheSearchPathIsUnavailable() throws {
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(searchPath: "/nonexistent/bin").read() }
        #expect(error?.code == .unavailable)
        #expect(error?.message == "nvidia-smi not found in /nonexistent/bin: is the NVIDIA driver installed?")
    }

    @Test func missingPathIsUnavailable() {
        let error = #expect(throws: GPUError.self) {
            try NvidiaSMIBackend(executablePath: "/nonexistent/nvidia-smi").read()
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message == "/nonexistent/nvidia-smi not found: is the NVIDIA driver installed?")
    }

    @Test(.enabled(if: getuid() != 0, "root may execute anything"))
    func fileThatIsNotExecutableIsUnavailable() throws {
        let fake = try FakeSMI(Self.printsTwoGPUs, executable: false)
        defer { fake.remove() }
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(executablePath: fake.path).read() }
        #expect(error?.code == .unavailable)
    }

    /// A file without a #! line that the kernel won't run.
    @Test func fileThatCantBeExecutedIsUnavailable() throws {
        let fake = try FakeSMI("")
        defer { fake.remove() }
        try Data([0x7F, 0x45, 0x4C, 0x46, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: fake.path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(executablePath: fake.path).read() }
        #expect(error?.code == .unavailable)
        #expect(error?.message.hasPrefix("cannot execute \(fake.path): ") == true)
    }

    @Test func nonZeroExitIsCallFailedWithStderr() throws {
        let fake = try FakeSMI("echo 'Failed to initialize NVML: Driver/library version mismatch' >&2\nexit 1")
        defer { fake.remove() }
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(executablePath: fake.path).read() }
        #expect(error?.code == .callFailed)
        #expect(
            error?.message
                == "\(fake.path) -q -x exited with status 1: Failed to initialize NVML: Driver/library version mismatch"
        )
    }

    /// nvidia-smi prints most of its failures on stdout.
    @Test func nonZeroExitWithTheMessageOnStdout() throws {
        let fake = try FakeSMI(
            """
            echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
            echo "Make sure that the latest NVIDIA driver is installed and running."
            exit 9
            """)
        defer { fake.remove() }
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(executablePath: fake.path).read() }
        #expect(error?.code == .callFailed)
        #expect(
            error?.message
                == "\(fake.path) -q -x exited with status 9: NVIDIA-SMI has failed because it couldn't communicate "
                + "with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.")
    }

    /// One GPU failing makes nvidia-smi exit non-zero, but the GPUs it did print are kept.
    @Test func nonZeroExitWithGPUsKeepsThem() throws {
        let fake = try FakeSMI(
            Self.printsTwoGPUs + "\necho 'Unable to determine the device handle for GPU3' >&2\nexit 15")
        defer { fake.remove() }
        #expect(try NvidiaSMIBackend(executablePath: fake.path).read().count == 2)
    }

    @Test func killedBySignal() throws {
        let fake = try FakeSMI("echo dying >&2\nkill -9 $$")
        defer { fake.remove() }
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(executablePath: fake.path).read() }
        #expect(error?.code == .callFailed)
        #expect(error?.message == "\(fake.path) -q -x was killed by signal 9: dying")
    }

    @Test func garbageOutputIsMalformed() throws {
        let fake = try FakeSMI("echo 'No devices were found'")
        defer { fake.remove() }
        let error = #expect(throws: GPUError.self) { try NvidiaSMIBackend(executablePath: fake.path).read() }
        #expect(error?.code == .malformedOutput)
    }

    /// stdin is /dev/null: a program reading it gets end of file at once.
    @Test func standardInputIsEmpty() throws {
        let fake = try FakeSMI("cat; echo '<nvidia_smi_log/>'")
        defer { fake.remove() }
        #expect(try NvidiaSMIBackend(executablePath: fake.path, timeout: .seconds(5)).read() == [])
    }

    /// Megabytes on stdout and stderr at once: both pipes are drained, nothing deadlocks.
    @Test func largeOutputOnBothStreams() throws {
        let fake = try FakeSMI(
            """
            head -c 1000000 /dev/zero | tr '\\000' e >&2 &
            printf '<nvidia_smi_log>'
            head -c 5000000 /dev/zero | tr '\\000' ' '
            printf '</nvidia_smi_log>'
            wait
            """)
        defer { fake.remove() }
        #expect(try NvidiaSMIBackend(executablePath: fake.path, timeout: .seconds(30)).read() == [])
    }

    /// A hung nvidia-smi is killed (with what it started) at the timeout: an error, not a hang.
    @Test func hangIsKilledAtTheTimeout() throws {
        let fake = try FakeSMI("echo '<nvidia_smi_log>'\nsleep 30 &\necho $! > \"$(dirname \"$0\")/sleep.pid\"\nwait")
        defer { fake.remove() }
        let started = ContinuousClock.now
        let error = #expect(throws: GPUError.self) {
            try NvidiaSMIBackend(executablePath: fake.path, timeout: .milliseconds(300)).read()
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .callFailed)
        #expect(error?.message.hasPrefix("\(fake.path) did not finish within 0.3 s and was killed") == true)
        #expect(elapsed < .seconds(5), "took \(elapsed)")

        #if os(Linux)
            // The script's child went down with it: gone, or a zombie waiting for init.
            let pid = try String(contentsOfFile: fake.folder.appendingPathComponent("sleep.pid").path, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            var state = "gone"
            for _ in 0..<50 {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { break }
                state = String(stat.split(separator: ")").last?.split(separator: " ").first ?? "?")
                if state == "Z" { break }
                usleep(20_000)
            }
            #expect(state == "gone" || state == "Z", "sleep \(pid) is still running (state \(state))")
        #endif
    }

    @Test func timeoutAppliesToAProgramThatClosesItsOutputButKeepsRunning() throws {
        let fake = try FakeSMI("echo '<nvidia_smi_log/>'\nexec >&- 2>&-\nsleep 30")
        defer { fake.remove() }
        let started = ContinuousClock.now
        let error = #expect(throws: GPUError.self) {
            try NvidiaSMIBackend(executablePath: fake.path, timeout: .milliseconds(300)).read()
        }
        #expect(error?.code == .callFailed)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// Consecutive reads each run nvidia-smi again and leave no process behind.
    @Test func repeatedReads() throws {
        let fake = try FakeSMI(Self.printsTwoGPUs)
        defer { fake.remove() }
        let backend = NvidiaSMIBackend(executablePath: fake.path)
        for _ in 0..<20 { #expect(try backend.read().count == 2) }
    }
}
