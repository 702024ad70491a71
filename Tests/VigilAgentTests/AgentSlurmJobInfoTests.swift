import Foundation
import Testing
import VigilExposition
import VigilModel
import VigilTestSupport

/// `vigil agent --slurm` on a node as it really runs: NVML (the fake libnvidia-ml of the GPU tests) reports
/// host PIDs, `--procfs` is where their cgroups are read (the host's /proc mounted into a container), and
/// squeue/sinfo (scripts printing the 24.11 fixtures) give the jobs. `vigil_gpu_job_info` then carries the
/// job's account and partition, and a bare UID reads as Slurm's user name.
@Suite(.serialized) struct AgentSlurmJobInfoTests {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.deletingLastPathComponent().appendingPathComponent(
        "shared/fixtures/slurm/24.11.5-slurmdbd")
    static let compiler = ["cc", "gcc", "clang"].lazy.compactMap { ExternalTools.path(of: $0) }.first
    static var runnable: Bool { compiler != nil && FileManager.default.fileExists(atPath: fixtures.path) }

    /// A scratch folder with the fake libnvidia-ml, a /proc of three GPU processes, and squeue/sinfo.
    static func node() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-slurm-job-info-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("bin"), withIntermediateDirectories: true)
        let build = Process()
        build.executableURL = URL(fileURLWithPath: compiler!)
        build.arguments = [
            "-shared", "-fPIC", "-o", directory.appendingPathComponent("libnvidia-ml.so.1").path,
            "-I", root.appendingPathComponent("Sources/CNVML/include").path,
            root.appendingPathComponent("Tests/VigilGPUTests/FakeNVML/fake_nvml.c").path,
        ]
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { throw TestFailure("cc failed to build the fake libnvidia-ml") }
        // The fake's processes: 4242 on GPU 0, 6001 and 6002 on GPU 1.
        let processes: [(pid: Int, cgroup: String, uid: String?)] = [
            (4242, "0::/system.slice/slurmstepd.scope/job_9/step_0/user/task_0", "4294000001"),
            (6001, "0::/system.slice/slurmstepd.scope/job_424242/step_0/user/task_0", nil),
            (6002, "0::/system.slice/slurmstepd.scope/job_10/step_0/user/task_0", nil),
        ]
        for process in processes {
            let folder = directory.appendingPathComponent("proc/\(process.pid)")
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try (process.cgroup + "\n").write(
                to: folder.appendingPathComponent("cgroup"), atomically: true, encoding: .utf8)
            if let uid = process.uid {
                try "Name:\tpython\nUid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)\n".write(
                    to: folder.appendingPathComponent("status"), atomically: true, encoding: .utf8)
            }
        }
        for (command, file) in [("squeue", "squeue.json"), ("sinfo", "sinfo.json")] {
            let script = directory.appendingPathComponent("bin/\(command)")
            try "#!/bin/sh\nexec cat '\(fixtures.appendingPathComponent(file).path)'\n".write(
                to: script, atomically: true, encoding: .utf8)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        }
        return directory
    }

    @Test(
        "account, partition and user from the agent's own Slurm poll; an unlisted job keeps empty labels",
        .enabled(if: runnable, "no C compiler or no ../shared/fixtures/slurm: agent Slurm job info test skipped"))
    func jobInfoNamesSlurmJobs() async throws {
        let node = try Self.node()
        defer { try? FileManager.default.removeItem(at: node) }
        let (agent, base) = try await ChildProcess.agent(
            [
                "--gpu-backend", "nvml", "--nvml-library", node.appendingPathComponent("libnvidia-ml.so.1").path,
                "--procfs", node.appendingPathComponent("proc").path, "--host-collectors", "loadavg",
                "--slurm", "--slurm-sacct-window", "off",
            ],
            launcher: ["/usr/bin/env", "PATH=\(node.appendingPathComponent("bin").path):/usr/bin:/bin"])
        defer { agent.stop() }
        let families = try ExpositionParser.parseFamilies(
            bytes: try await ExternalTools.get(base + "/metrics"), format: .text)
        #expect(families.first { $0.name == "slurm_up" }?.samples.first?.value == 1, "\(agent.log)")
        let info = try #require(families.first { $0.name == "vigil_gpu_job_info" }, "\(agent.log)")
        let byJob = Dictionary(info.samples.map { ($0.labels["job_id"] ?? "", $0.labels) }) { first, _ in first }
        #expect(byJob["9"]?["account"] == "ml-research")
        #expect(byJob["9"]?["partition"] == "gpu")
        #expect(byJob["9"]?["user"] == "alice", "a UID without a passwd entry reads as Slurm's user")
        #expect(byJob["9"]?["gpu"] == "0")
        #expect(byJob["10"]?["account"] == "ml-infra")
        #expect(byJob["10"]?["user"] == "bob")
        #expect(byJob["424242"]?["account"] == "")
        #expect(byJob["424242"]?["partition"] == "")
    }
}
