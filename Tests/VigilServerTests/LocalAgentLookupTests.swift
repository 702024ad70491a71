import Foundation
import Logging
import Testing
import VigilAgent
import VigilCollectors
import VigilConfig
import VigilGPU
import VigilKubernetes
import VigilModel
import VigilScheduler

@testable import VigilServer

/// A Slurm collector's latest job list, here the 24.11 fixture's squeue output.
private struct FixtureJobs: SlurmJobDirectory {
    let index: SlurmJobIndex
    func job(id: String) -> SlurmJob? { index[id: id] }
}

/// `vigil server --slurm --kubernetes`: its in-process local agent names the jobs and pods of GPU processes
/// on `vigil_gpu_job_info` from the Slurm and Kubernetes collectors running beside it, as `vigil agent` does.
@Suite("vigil server's local agent: job account/partition and pod names on vigil_gpu_job_info")
struct LocalAgentLookupTests {
    static let podUID = "4f0c1a2b-9d3e-4c5f-8a6b-7c8d9e0f1a2b"
    static let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/slurm")

    /// A pod cache holding ml-team/trainer-0; the watchers never run.
    static func kubernetes() throws -> (KubernetesCollector, KubernetesAPIClient) {
        var machine = KubernetesWatchStateMachine<KubernetesPod>()
        _ = machine.listed(
            KubernetesList(
                resourceVersion: "7",
                items: [
                    KubernetesPod(metadata: KubernetesObjectMeta(name: "trainer-0", namespace: "ml-team", uid: podUID))
                ]))
        let client = try KubernetesAPIClient(
            connection: KubernetesConnection(server: "https://127.0.0.1:1", bearerToken: "unused"))
        return (
            KubernetesCollector(
                pods: KubernetesWatcher(client: client, machine: machine), nodes: KubernetesWatcher(client: client)),
            client
        )
    }

    /// A GPU running a process of Slurm job `job` and one of the pod.
    static func reading(job: String) -> GPUReading {
        var reading = GPUReading(
            identity: GPUIdentity(
                index: 2, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-2", pciBusID: "00000000:3A:00.0"))
        var slurm = GPUProcess(pid: 10)
        ProcessAttribution(cgroup: "0::/system.slice/slurmstepd.scope/job_\(job)/step_0/user/task_0\n")
            .apply(to: &slurm)
        var pod = GPUProcess(pid: 11)
        ProcessAttribution(
            cgroup: "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + podUID.replacingOccurrences(of: "-", with: "_") + ".slice/cri-containerd-"
                + String(repeating: "a", count: 64) + ".scope\n"
        ).apply(to: &pod)
        reading.processes = [slurm, pod]
        return reading
    }

    @Test(
        "the local agent's GPU collector names Slurm jobs and Kubernetes pods",
        .enabled(
            if: FileManager.default.fileExists(atPath: fixtures.path),
            "../shared/fixtures/slurm is absent: Slurm fixture test skipped"))
    func namesJobsAndPods() async throws {
        let jobs = try SlurmDecoder.jobs(
            Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("24.11.5-slurmdbd/squeue.json"))))
        let (kubernetes, client) = try Self.kubernetes()
        let collectors = try ServerRuntime.localAgentCollectors(
            config: LocalAgentConfig(gpuBackend: .sim, disabledCollectors: HostCollectors.allNames),
            hostname: "gpu01",
            lookups: LocalAgentLookups(slurmJobs: FixtureJobs(index: SlurmJobIndex(jobs)), kubernetes: kubernetes),
            logger: Logger(label: "test"))
        let gpu = try #require(collectors.compactMap { $0 as? GPUCollector }.first)
        let info = gpu.format.metrics(for: [Self.reading(job: "9")]).families.first {
            $0.name == "vigil_gpu_job_info"
        }
        let samples = try #require(info?.samples.map(\.labels))
        let job = try #require(samples.first { $0["job_id"] == "9" })
        #expect(job["user"] == "alice")
        #expect(job["account"] == "ml-research")
        #expect(job["partition"] == "gpu")
        #expect(job["Hostname"] == "gpu01")
        let pod = try #require(samples.first { $0["pod_uid"] == Self.podUID })
        #expect(pod["namespace"] == "ml-team")
        #expect(pod["pod"] == "trainer-0")
        await client.shutdown()
    }

    @Test("without Slurm or Kubernetes collected in-process the labels stay empty")
    func emptyWithoutCollectors() throws {
        let format = LocalAgentLookups().format(hostname: "gpu01")
        #expect(format.slurmJobLookup == nil && format.podLookup == nil)
        let samples =
            format.metrics(for: [Self.reading(job: "9")]).families.first { $0.name == "vigil_gpu_job_info" }?
            .samples.map(\.labels) ?? []
        #expect(samples.count == 2)
        #expect(samples.allSatisfy { $0["account"] == "" && $0["partition"] == "" && $0["pod"] == "" })
    }
}
