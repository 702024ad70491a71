import Foundation
import Testing

@testable import VigilGPU

/// Attributing a GPU process to its container, Slurm job and Kubernetes pod from /proc/<pid>/cgroup.
@Suite struct NVMLProcessAttributionTests {
    static let id = "3f0d9d2b1e4c5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
    static let inner = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
    static let pod = "7c9f1e2a-3b4d-4c5e-8f6a-9b0c1d2e3f4a"
    static let podSlice = pod.replacingOccurrences(of: "-", with: "_")

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var cgroup: String
        var container: String? = nil
        var slurmJob: String? = nil
        var pod: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "docker, cgroup v1",
            cgroup: """
                12:pids:/docker/\(id)
                11:memory:/docker/\(id)
                4:cpu,cpuacct:/docker/\(id)
                1:name=systemd:/docker/\(id)
                0::/system.slice/containerd.service
                """,
            container: id),
        Case(name: "docker, cgroup v2, systemd driver", cgroup: "0::/system.slice/docker-\(id).scope\n", container: id),
        Case(name: "docker, cgroup v2, cgroupfs driver", cgroup: "0::/docker/\(id)\n", container: id),
        Case(name: "docker in docker: the innermost", cgroup: "0::/docker/\(id)/docker/\(inner)\n", container: inner),
        Case(name: "podman", cgroup: "0::/machine.slice/libpod-\(id).scope/container\n", container: id),
        Case(
            name: "podman rootless",
            cgroup: "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(id).scope/container\n",
            container: id),
        Case(name: "nerdctl", cgroup: "0::/system.slice/nerdctl-\(id).scope\n", container: id),
        Case(name: "containerd, namespace path", cgroup: "0::/default/\(id)\n", container: id),
        Case(
            name: "kubernetes burstable, containerd, systemd driver",
            cgroup:
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(podSlice).slice/cri-containerd-\(id).scope\n",
            container: id, pod: pod),
        Case(
            name: "kubernetes guaranteed, containerd, systemd driver",
            cgroup: "0::/kubepods.slice/kubepods-pod\(podSlice).slice/cri-containerd-\(id).scope\n",
            container: id, pod: pod),
        Case(
            name: "kubernetes besteffort, CRI-O",
            cgroup:
                "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(podSlice).slice/crio-\(id).scope\n",
            container: id, pod: pod),
        Case(
            name: "kubernetes, CRI-O's conmon is not the container",
            cgroup:
                "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod\(podSlice).slice/crio-conmon-\(id).scope\n",
            pod: pod),
        Case(
            name: "kubernetes burstable, cgroupfs driver, cgroup v1",
            cgroup: """
                12:hugetlb:/kubepods/burstable/pod\(pod)/\(id)
                11:memory:/kubepods/burstable/pod\(pod)/\(id)
                2:cpu,cpuacct:/kubepods/burstable/pod\(pod)/\(id)
                1:name=systemd:/kubepods/burstable/pod\(pod)/\(id)
                """,
            container: id, pod: pod),
        Case(
            name: "kubernetes guaranteed, cgroupfs driver",
            cgroup: "11:devices:/kubepods/pod\(pod)/\(id)\n", container: id, pod: pod),
        Case(
            name: "kubernetes static pod (config hash as UID)",
            cgroup:
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b1f0cbbbdf1b95c8fbd2c8f56d8b7b6.slice/cri-containerd-\(id).scope\n",
            container: id, pod: "5b1f0cbbbdf1b95c8fbd2c8f56d8b7b6"),
        Case(
            name: "kubernetes, cgroup v1 with systemd driver",
            cgroup:
                "10:memory:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(podSlice).slice/docker-\(id).scope\n",
            container: id, pod: pod),
        Case(
            name: "slurm, cgroup v1",
            cgroup: """
                10:devices:/slurm/uid_1000/job_12345/step_0/task_0
                7:memory:/slurm/uid_1000/job_12345/step_0/task_0
                4:cpuset:/slurm/uid_1000/job_12345/step_0
                1:name=systemd:/user.slice/user-1000.slice/session-2.scope
                """,
            slurmJob: "12345"),
        Case(
            name: "slurm, cgroup v2", cgroup: "0::/system.slice/slurmstepd.scope/job_987654/step_batch/user/task_0\n",
            slurmJob: "987654"),
        Case(
            name: "slurm, multiple slurmd", cgroup: "5:freezer:/slurm_node01/uid_1000/job_77/step_extern\n",
            slurmJob: "77"),
        Case(
            name: "container inside a slurm job (enroot/pyxis, docker)",
            cgroup: "0::/system.slice/slurmstepd.scope/job_555/step_0/user/task_0/docker-\(id).scope\n",
            container: id, slurmJob: "555"),
        Case(
            name: "hybrid: empty v2 line, ids in v1 lines",
            cgroup: "12:memory:/docker/\(id)\n0::/\n", container: id),
        Case(name: "a login session", cgroup: "0::/user.slice/user-1000.slice/session-3.scope\n"),
        Case(name: "a system service", cgroup: "0::/system.slice/nvidia-persistenced.service\n"),
        Case(name: "a private cgroup namespace", cgroup: "0::/\n"),
        Case(name: "empty", cgroup: ""),
        Case(name: "garbage", cgroup: "not a cgroup file\n::\n:\n"),
        Case(name: "uppercase hex is not an id", cgroup: "0::/docker/\(id.uppercased())\n"),
        Case(name: "short id", cgroup: "0::/system.slice/docker-\(id.prefix(12)).scope\n"),
        Case(name: "65 hex digits", cgroup: "0::/docker/\(id)0\n"),
        Case(name: "an unknown runtime's scope", cgroup: "0::/system.slice/other-\(id).scope\n"),
        Case(name: "job_ without a number", cgroup: "0::/slurm/uid_1000/job_abc/step_0\n"),
        Case(name: "pod outside kubepods", cgroup: "0::/pod\(pod)/\(id)\n", container: id),
    ]

    @Test(arguments: cases)
    func parsesCgroup(_ c: Case) {
        let attribution = ProcessAttribution(cgroup: c.cgroup)
        #expect(attribution.containerID == c.container)
        #expect(attribution.slurmJobID == c.slurmJob)
        #expect(attribution.kubernetesPodUID == c.pod)
        #expect(attribution.name == nil && attribution.user == nil)
    }

    @Test(arguments: [
        ("Name:\tx\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\n", UInt32(1000) as UInt32?),
        ("Uid:\t0\t1001\t1001\t1001\n", 0),  // the real UID
        ("Uid: 42 42 42 42\n", 42),
        ("Name:\tx\n", nil),
        ("Uid:\tabc\n", nil),
    ])
    func readsTheRealUID(status: String, uid: UInt32?) {
        #expect(ProcessAttribution.realUID(status: status) == uid)
    }

    @Test func namesUsersFromPasswd() {
        #expect(ProcessAttribution.userName(uid: 0) == "root")
        #expect(ProcessAttribution.userName(uid: 3_999_999_999) == nil)
    }

    @Test func readsAProcFromARoot() throws {
        let root = NSTemporaryDirectory() + "vigil-proc-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/77", withIntermediateDirectories: true)
        try "0::/system.slice/docker-\(Self.id).scope\n".write(
            toFile: root + "/77/cgroup", atomically: true, encoding: .utf8)
        try "nccl-tests\n".write(toFile: root + "/77/comm", atomically: true, encoding: .utf8)
        try "Name:\tnccl-tests\nUid:\t3999999999\t0\t0\t0\n".write(
            toFile: root + "/77/status", atomically: true, encoding: .utf8)

        let attribution = ProcessAttribution.read(pid: 77, procRoot: root)
        #expect(
            attribution
                == ProcessAttribution(name: "nccl-tests", user: "3999999999", containerID: Self.id))
        #expect(ProcessAttribution.read(pid: 78, procRoot: root) == ProcessAttribution())

        var process = GPUProcess(pid: 77)
        process.slurmJobID = "kept"
        attribution.apply(to: &process)
        #expect(process.name == "nccl-tests")
        #expect(process.user == "3999999999")
        #expect(process.containerID == Self.id)
        #expect(process.slurmJobID == "kept")
    }

    @Test func readsThisProcess() {
        let attribution = ProcessAttribution.read(pid: Int(getpid()))
        #expect(attribution.name != nil)
        #expect(attribution.user != nil)
    }
}
