import Foundation
import Testing
import VigilTestSupport

/// `vigil agent --slurm` against a real single-node Slurm (slurmctld + slurmd on localhost, 8 fake GPUs),
/// started with ../shared/recipes/slurm/start-local-slurm.sh (read in place, never copied) and stopped
/// with stop-local-slurm.sh. Needs root (the script apt-installs munge and Slurm when they are missing);
/// skipped with a message outside CI when that is not possible, required in CI.
@Suite("vigil agent --slurm against a real Slurm", .serialized)
struct SlurmEndToEndTests {
    static let recipes = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/recipes/slurm")

    /// Why the test can't run here, or nil when it can.
    static var unavailable: String? {
        guard FileManager.default.fileExists(atPath: recipes.appendingPathComponent("start-local-slurm.sh").path) else {
            return "\(recipes.path) is absent: the real-Slurm test is skipped"
        }
        guard getuid() == 0 else { return "not root: start-local-slurm.sh needs root; the real-Slurm test is skipped" }
        guard ExternalTools.path(of: "sinfo") != nil || ExternalTools.path(of: "apt-get") != nil else {
            return "neither Slurm nor apt-get is installed: the real-Slurm test is skipped"
        }
        return nil
    }

    static var shouldRun: Bool { ExternalTools.isCI || unavailable == nil }

    @Test(
        "jobs by state, node allocation and GPUs from squeue, sinfo and sdiag",
        .enabled(if: shouldRun, Comment(rawValue: unavailable ?? "")))
    func agentShowsJobs() async throws {
        if let unavailable = Self.unavailable { throw TestFailure("CI=true but \(unavailable)") }
        let start = try Self.script("start-local-slurm.sh", environment: ["WITH_DBD": "0", "WITH_RESTD": "0"])
        defer { _ = try? Self.script("stop-local-slurm.sh") }
        try #require(start.status == 0, "start-local-slurm.sh failed:\n\(start.output)\n\(Self.daemonLogs())")

        // One job that completes, one that fails with exit 3, one holding all 8 GPUs, one pending behind it.
        let completed = try Self.submit(["-J", "vigil-ok", "--wrap", "true"])
        let failed = try Self.submit(["-J", "vigil-fail", "--wrap", "exit 3"])
        let running = try Self.submit(["-J", "vigil-run", "--gres=gpu:8", "--wrap", "sleep 300"])
        let pending = try Self.submit(["-J", "vigil-pend", "--gres=gpu:4", "--wrap", "sleep 60"])
        let expected = [completed: "COMPLETED", failed: "FAILED", running: "RUNNING", pending: "PENDING"]
        var states: [String: String] = [:]
        for _ in 0..<150 {
            states = try Self.jobStates()
            if expected.allSatisfy({ states[$0.key] == $0.value }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        try #require(
            expected.allSatisfy { states[$0.key] == $0.value },
            "jobs did not reach their states within 30 s: \(states)\n\(Self.daemonLogs())")

        let (agent, base) = try await ChildProcess.agent(["--slurm", "--gpu-backend", "none", "--cache-ttl", "0s"])
        defer { agent.stop() }
        let text = String(decoding: try await ExternalTools.get(base + "/metrics"), as: UTF8.self)
        func value(_ name: String, _ labels: [String] = []) -> Double? {
            Self.sample(in: text, name, labels)
        }
        #expect(value("slurm_up") == 1, "\(text.split(separator: "\n").filter { $0.hasPrefix("slurm_command") })")
        #expect(value("slurm_queue_completed") == 1)
        #expect(value("slurm_queue_failed") == 1)
        #expect(value("slurm_queue_running") == 1)
        #expect(value("slurm_queue_pending") == 1)
        #expect(value("slurm_jobs_finished", [#"outcome="failed""#, #"partition="gpu""#, #"user="root""#]) == 1)
        #expect(value("slurm_jobs_pending_reason", [#"reason="Resources""#]) == 1)
        #expect(value("slurm_jobs_gpus_requested_pending", [#"partition="gpu""#]) == 4)
        // The running job holds 1 of the node's CPUs and all 8 GPUs: the node is mixed.
        #expect(value("slurm_nodes_mix") == 1)
        #expect(value("slurm_nodes_idle") == 0)
        #expect(value("slurm_node_cpu_alloc", [#"node="localhost""#]) == 1)
        #expect(value("slurm_node_gpus_alloc", [#"node="localhost""#]) == 8)
        #expect(value("slurm_node_gpus_total", [#"node="localhost""#]) == 8)
        #expect(value("slurm_gpus_alloc") == 8)
        #expect(value("slurm_scheduler_jobs_submitted_total") ?? 0 >= 4)
        // 22.05 has no sdiag --json (text is read instead); without slurmdbd sacct fails and says so.
        #expect(value("slurm_command_success", [#"command="sdiag""#]) == 1)
        #expect(value("slurm_command_success", [#"command="sacct""#]) == 0)
        #expect(value("vigil_collector_errors_total", [#"collector="slurm""#]) ?? 0 >= 1)
        // scontrol -d show job -o: the running job's 8 GPUs by index, for joining GPU series to jobs.
        #expect(value("slurm_command_success", [#"command="scontrol""#]) == 1)
        #expect(value("slurm_job_gpu_info", [#"job_id="\#(running)""#, #"node="localhost""#, #"gpu="7""#]) == 1)

        // Drain the node while the 8-GPU job runs (draining, with the reason), then resume it.
        try Self.scontrol(["update", "nodename=localhost", "state=drain", "reason=vigil-maintenance"])
        let drained = String(decoding: try await ExternalTools.get(base + "/metrics"), as: UTF8.self)
        #expect(
            Self.sample(in: drained, "slurm_node_status", [#"status="draining""#, #"reason="vigil-maintenance""#]) == 1,
            "\(drained.split(separator: "\n").filter { $0.hasPrefix("slurm_node_status") })")
        try Self.scontrol(["update", "nodename=localhost", "state=resume"])
        let resumed = String(decoding: try await ExternalTools.get(base + "/metrics"), as: UTF8.self)
        #expect(Self.sample(in: resumed, "slurm_node_status", [#"reason="vigil-maintenance""#]) == nil)
        #expect(Self.sample(in: resumed, "slurm_node_status", [#"status="mixed""#]) == 1)
    }

    static func scontrol(_ arguments: [String]) throws {
        let result = try ExternalTools.run("/usr/bin/env", ["scontrol"] + arguments)
        if result.status != 0 { throw TestFailure("scontrol \(arguments) failed: \(result.output)") }
    }

    /// The value of the first sample of `name` whose labels include every one of `labels`.
    static func sample(in text: String, _ name: String, _ labels: [String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            guard labels.allSatisfy({ line.contains($0) }), let last = line.split(separator: " ").last else { continue }
            return Double(last)
        }
        return nil
    }

    static func script(_ name: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let variables = environment.map { "\($0.key)=\($0.value)" }.sorted()
        return try ExternalTools.run("/usr/bin/env", variables + ["bash", recipes.appendingPathComponent(name).path])
    }

    static func submit(_ arguments: [String]) throws -> String {
        let result = try ExternalTools.run("/usr/bin/env", ["sbatch", "--parsable", "--chdir=/tmp"] + arguments)
        guard result.status == 0, let id = result.output.split(whereSeparator: \.isNewline).last else {
            throw TestFailure("sbatch \(arguments) failed: \(result.output)")
        }
        return String(id.split(separator: ";").first ?? id)
    }

    static func jobStates() throws -> [String: String] {
        let result = try ExternalTools.run("/usr/bin/env", ["squeue", "--all", "--states=all", "-h", "-o", "%i %T"])
        var states: [String: String] = [:]
        for line in result.output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            if fields.count == 2 { states[String(fields[0])] = String(fields[1]) }
        }
        return states
    }

    static func daemonLogs() -> String {
        ["/var/log/slurm/slurmctld.log", "/var/log/slurm/slurmd.log"].map { path in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(none)"
            return "--- \(path) (last 30 lines)\n" + text.split(separator: "\n").suffix(30).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
