import Testing
import VigilModel
import VigilScheduler

@Suite("slurm_* metric families from fixture snapshots")
struct SlurmMetricsTests {
    func snapshot(_ dialect: String, jobs: String) throws -> SlurmSnapshot {
        let nodesFile = dialect.hasPrefix("24") ? "scontrol-show-node.json" : "sinfo.json"
        let diag =
            dialect.hasPrefix("24")
            ? try SlurmDecoder.schedulerStats(try SlurmFixtures.bytes("\(dialect)/sdiag.json"))
            : try SlurmDecoder.schedulerStats(sdiagText: try SlurmFixtures.text("\(dialect)/sdiag.txt"))
        return SlurmSnapshot(
            jobs: try SlurmDecoder.jobs(try SlurmFixtures.bytes("\(dialect)/\(jobs)")),
            nodes: try SlurmDecoder.nodes(try SlurmFixtures.bytes("\(dialect)/\(nodesFile)")), scheduler: diag,
            time: 1_795_967_300)
    }

    func value(_ set: MetricSet, _ name: String, _ labels: Labels = Labels()) -> Double? {
        set.families.first { $0.name == name }?.samples.first { $0.labels == labels }?.value
    }

    @Test(
        "jobs, nodes and sdiag as the fixtures say",
        arguments: [
            ("22.05.8-slurmdbd", "squeue.json"), ("24.11.5-slurmdbd", "squeue-states-all.json"),
        ])
    func families(dialect: String, jobs: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let snapshot = try snapshot(dialect, jobs: jobs)
        let set = SlurmMetrics.metricSet(for: snapshot)
        #expect(value(set, "slurm_queue_pending") == 1)
        #expect(value(set, "slurm_queue_running") == 1)
        #expect(value(set, "slurm_queue_completed") == 5)
        #expect(value(set, "slurm_queue_failed") == 1)
        #expect(value(set, "slurm_queue_timeout") == 1)
        #expect(value(set, "slurm_queue_cancelled") == 1)
        #expect(
            value(set, "slurm_jobs", ["state": "pending", "partition": "gpu", "user": "bob", "account": "ml-infra"])
                == 1)
        #expect(
            value(
                set, "slurm_jobs_finished",
                ["outcome": "completed", "partition": "gpu", "user": "alice", "account": "ml-research"])
                == 4)
        #expect(
            value(
                set, "slurm_jobs_finished",
                ["outcome": "timeout", "partition": "gpu", "user": "bob", "account": "ml-infra"]) == 1)
        #expect(value(set, "slurm_jobs_pending_reason", ["partition": "gpu", "reason": "Resources"]) == 1)
        #expect(
            value(set, "slurm_jobs_gpus_allocated", ["partition": "gpu", "user": "alice", "account": "ml-research"])
                == 8)
        #expect(value(set, "slurm_jobs_gpus_requested_pending", ["partition": "gpu"]) == 4)
        let pending = try #require(snapshot.jobs.first { $0.jobID == 10 })
        #expect(
            value(set, "slurm_jobs_pending_wait_seconds_max", ["partition": "gpu"])
                == Double(snapshot.time - pending.submitTime!))
        #expect(value(set, "slurm_partition_jobs_pending", ["partition": "gpu"]) == 1)

        #expect(value(set, "slurm_nodes_mix") == 1)
        #expect(value(set, "slurm_nodes_idle") == 0)
        #expect(value(set, "slurm_cpus_total") == 2)
        #expect(value(set, "slurm_cpus_alloc") == 1)
        #expect(value(set, "slurm_gpus_total") == 8)
        #expect(value(set, "slurm_gpus_alloc") == 8)
        #expect(value(set, "slurm_gpus_utilization") == 1)
        #expect(value(set, "slurm_node_status", ["node": "localhost", "status": "mixed", "reason": ""]) == 1)
        #expect(value(set, "slurm_node_memory_total_bytes", ["node": "localhost"]) == 8_388_608_000)
        #expect(value(set, "slurm_partition_gpus_allocated", ["partition": "gpu"]) == 8)
        #expect(value(set, "slurm_partition_cpus_total", ["partition": "gpu"]) == 2)

        #expect(value(set, "slurm_scheduler_jobs_submitted_total") == 10)
        #expect(value(set, "slurm_scheduler_max_cycle") == (dialect.hasPrefix("24") ? 907 : 2797))
        #expect(value(set, "slurm_rpc_stats", ["operation": "REQUEST_PING"]) == 1)
        #expect(set.families.allSatisfy { $0.name.hasPrefix("slurm_") })
        #expect(set.families.first { $0.name == "slurm_scheduler_cycles_total" }?.type == .counter)
    }

    @Test("a drained node's reason and the unavailable CPUs")
    func drained() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let nodes = try SlurmDecoder.nodes(
            try SlurmFixtures.bytes("24.11.5-slurmdbd/drain-resume/sinfo-2-drained.json"))
        let set = SlurmMetrics.metricSet(for: SlurmSnapshot(nodes: nodes, time: 0))
        #expect(value(set, "slurm_nodes_drain") == 1)
        #expect(value(set, "slurm_node_status", ["node": "localhost", "status": "drained", "reason": "test"]) == 1)
        #expect(value(set, "slurm_cpus_other") == 2)
        #expect(value(set, "slurm_cpus_idle") == 0)
        #expect(value(set, "slurm_gpus_other") == 8)
    }
}
