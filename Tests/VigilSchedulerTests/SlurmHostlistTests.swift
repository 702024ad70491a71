import Testing
import VigilModel
import VigilScheduler

@Suite struct SlurmHostlistTests {
    @Test(
        arguments: [
            ("gpu01", ["gpu01"]),
            ("", []),
            ("gpu[01-03]", ["gpu01", "gpu02", "gpu03"]),
            ("gpu-node-[08-10,12]", ["gpu-node-08", "gpu-node-09", "gpu-node-10", "gpu-node-12"]),
            ("a,b[1-2]", ["a", "b1", "b2"]),
            ("rack[1-2]-n[1-2]", ["rack1-n1", "rack1-n2", "rack2-n1", "rack2-n2"]),
            ("n[9-11]x", ["n9x", "n10x", "n11x"]),
        ])
    func expands(_ expression: String, _ names: [String]) {
        #expect(SlurmHostlist.expand(expression) == names)
    }

    /// Malformed lists give nil, never a crash or a runaway expansion.
    @Test(arguments: [
        "gpu[01-03", "gpu01]", "gpu[03-01]", "gpu[a-b]", "gpu[1-2-3]", "a,,b", "gpu[[1]]", "n[0-99999999]", "gpu[]",
    ])
    func rejectsMalformed(_ expression: String) {
        #expect(SlurmHostlist.expand(expression) == nil)
    }

    /// Finished jobs counted on every node they ran on; unparsable node lists under their text.
    @Test func nodeJobsFinished() {
        let jobs = [
            SlurmJob(jobID: 1, state: SlurmJobState(base: .failed), nodes: "gpu[01-02]"),
            SlurmJob(jobID: 2, state: SlurmJobState(base: .nodeFail), nodes: "gpu01"),
            SlurmJob(jobID: 3, state: SlurmJobState(base: .failed), nodes: "gpu01"),
            SlurmJob(jobID: 4, state: SlurmJobState(base: .completed), nodes: "bad[1"),
            SlurmJob(jobID: 5, state: SlurmJobState(base: .running), nodes: "gpu03"),
            SlurmJob(jobID: 6, state: SlurmJobState(base: .cancelled), nodes: ""),
        ]
        let set = SlurmMetrics.metricSet(for: SlurmSnapshot(jobs: jobs, time: 0))
        let samples = set.families.first { $0.name == "slurm_node_jobs_finished" }?.samples ?? []
        let values = Dictionary(uniqueKeysWithValues: samples.map { ($0.labels, $0.value) })
        #expect(values[["node": "gpu01", "outcome": "failed"]] == 2)
        #expect(values[["node": "gpu02", "outcome": "failed"]] == 1)
        #expect(values[["node": "gpu01", "outcome": "node_fail"]] == 1)
        #expect(values[["node": "bad[1", "outcome": "completed"]] == 1)
        #expect(samples.count == 4)
    }
}
