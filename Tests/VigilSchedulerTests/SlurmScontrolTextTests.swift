import Foundation
import Testing
import VigilModel
import VigilScheduler

@Suite("scontrol show job/node text: GPU allocations per job and node, nodes")
struct SlurmScontrolTextTests {
    static let dialects = ["22.05.8-nodbd", "22.05.8-slurmdbd", "24.11.5-slurmdbd"]

    /// `scontrol -o`'s form of the captured multi-line output: each record on one line.
    static func oneLine(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n") where !line.allSatisfy({ $0 == " " }) {
            if line.first == " " {
                lines[lines.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                lines.append(String(line))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("the running job's eight GPUs, from the multi-line and the one-line form", arguments: dialects)
    func fixtureAllocations(dialect: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let text = try SlurmFixtures.text("\(dialect)/scontrol-show-job-detail.txt")
        let expected = [
            SlurmJobAllocation(
                jobID: "9", user: "alice", account: dialect.hasSuffix("nodbd") ? "" : "ml-research", partition: "gpu",
                node: "localhost", gpuIndices: Array(0...7))
        ]
        #expect(try SlurmDecoder.allocations(scontrolJobs: text) == expected)
        #expect(try SlurmDecoder.allocations(scontrolJobs: Self.oneLine(text)) == expected)
    }

    @Test("without -d there is no per-node detail and so no allocation", arguments: dialects)
    func withoutDetail(dialect: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let text = try SlurmFixtures.text("\(dialect)/scontrol-show-job.txt")
        #expect(try SlurmDecoder.allocations(scontrolJobs: Self.oneLine(text)).isEmpty)
    }

    @Test("several nodes, index lists, typed GRES, other GRES and spaces in free-text values")
    func handWritten() throws {
        let text = """
            JobId=41 JobName=big run UserId=carol(1003) Account=vision Partition=h100 JobState=RUNNING \
            Nodes=gpu[01-02] CPU_IDs=0-7 Mem=8000 GRES=gpu(IDX:0-3) Nodes=gpu03 CPU_IDs=0 Mem=10 \
            GRES=gpu:a100:2(IDX:0,2-3),nic:1(IDX:0) Command=/opt/train.sh --lr=0.1 --name run 1 WorkDir=/home/c d
            JobId=42 UserId=dan(1004) Account=(null) Partition=cpu Nodes=cpu01 CPU_IDs=0 Mem=1 GRES=
            JobId=43 UserId=erin(1005) Partition=gpu Nodes=gpu04 GRES=gpu:1(IDX:N/A)

            """
        let allocations = try SlurmDecoder.allocations(scontrolJobs: text)
        #expect(
            allocations == [
                SlurmJobAllocation(
                    jobID: "41", user: "carol", account: "vision", partition: "h100", node: "gpu01",
                    gpuIndices: [0, 1, 2, 3]),
                SlurmJobAllocation(
                    jobID: "41", user: "carol", account: "vision", partition: "h100", node: "gpu02",
                    gpuIndices: [0, 1, 2, 3]),
                SlurmJobAllocation(
                    jobID: "41", user: "carol", account: "vision", partition: "h100", node: "gpu03",
                    gpuIndices: [0, 2, 3]),
            ])
        let record = try #require(try SlurmKeyValueRecord.parse(text, recordKey: "JobId").first)
        #expect(record["Command"] == "/opt/train.sh --lr=0.1 --name run 1")
        #expect(record["WorkDir"] == "/home/c d")
        #expect(record["JobName"] == "big run")
    }

    /// `scontrol -d show job -o` of a real Slurm 22.05.8 (start-local-slurm.sh), captured 2026-11-30: a job
    /// named with a space, a comment with spaces, a double space after it and a trailing space.
    static let realOneLine =
        #"JobId=2 JobName=two words UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901758 Nice=0 Account=(null) QOS=(null) JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 DerivedExitCode=0:0 RunTime=00:00:01 TimeLimit=UNLIMITED TimeMin=N/A SubmitTime=2026-11-30T04:05:05 EligibleTime=2026-11-30T04:05:05 AccrueTime=2026-11-30T04:05:05 StartTime=2026-11-30T04:05:07 EndTime=Unknown Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-30T04:05:07 Scheduler=Main Partition=gpu AllocNode:Sid=localhost:16090 ReqNodeList=(null) ExcNodeList=(null) NodeList=localhost BatchHost=localhost NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=1000M,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* JOB_GRES=gpu:h100:2   Nodes=localhost CPU_IDs=1 Mem=1000 GRES=gpu:h100:2(IDX:3-4) MinCPUsNode=1 MinMemoryCPU=1000M MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/tmp Comment=a comment here  StdErr=/tmp/slurm-2.out StdIn=/dev/null StdOut=/tmp/slurm-2.out Power= TresPerNode=gres:gpu:2 "#

    @Test("a real one-line record: the name and comment with spaces, the GPUs 3-4")
    func realRecord() throws {
        let text = Self.realOneLine + "\n"
        #expect(
            try SlurmDecoder.allocations(scontrolJobs: text) == [
                SlurmJobAllocation(jobID: "2", user: "root", partition: "gpu", node: "localhost", gpuIndices: [3, 4])
            ])
        let record = try #require(try SlurmKeyValueRecord.parse(text, recordKey: "JobId").first)
        #expect(record["JobName"] == "two words")
        #expect(record["Comment"] == "a comment here")
        #expect(record["TresPerNode"] == "gres:gpu:2")
        #expect(record.field("Nodes")?.column == record.field("JOB_GRES").map { $0.column + 22 })
    }

    static let badJobs: [(String, String, SchedulerError.Code, Int, Int?, String)] = [
        ("not scontrol output", "Unable to contact slurm controller (connect failure)\n", .malformedText, 1, 1, ""),
        (
            "a word that is not Key=Value", "JobId=1 UserId=a(1)\n   Partition=gpu oops\n", .malformedText, 2, 18,
            "Partition"
        ),
        ("a space in a value that takes none", "JobId=1 Partition=gpu big\n", .malformedText, 1, 23, "Partition"),
        ("a job id that is not a number", "JobId=1\nJobId=x1 UserId=a(1)\n", .invalidValue, 2, 1, "JobId"),
        ("an index range backwards", "JobId=1 Nodes=n1 GRES=gpu(IDX:3-1)\n", .invalidValue, 1, 18, "GRES"),
        ("an index that is not a number", "JobId=1\n  Nodes=n1 GRES=gpu:2(IDX:0,a)\n", .invalidValue, 2, 12, "GRES"),
        ("an unclosed index list", "JobId=1 Nodes=n1 GRES=gpu(IDX:0-1\n", .invalidValue, 1, 18, "GRES"),
        ("a node list that does not expand", "JobId=1 Nodes=n[01- GRES=gpu(IDX:0)\n", .invalidValue, 1, 9, "Nodes"),
    ]

    @Test("bad scontrol job text: the code, line, column and key", arguments: badJobs)
    func badJobText(
        _ what: String, text: String, code: SchedulerError.Code, line: Int, column: Int?, key: String
    ) {
        #expect(throws: SchedulerError.self, "\(what)") { try SlurmDecoder.allocations(scontrolJobs: text) }
        do {
            _ = try SlurmDecoder.allocations(scontrolJobs: text)
        } catch {
            #expect(error.code == code, "\(what): \(error)")
            #expect(error.line == line, "\(what): \(error)")
            #expect(error.column == column, "\(what): \(error)")
            #expect(error.keyPath == key, "\(what): \(error)")
        }
    }

    @Test("scontrol show node -o: the node with its CPUs, memory and GPUs", arguments: dialects)
    func fixtureNodes(dialect: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let text = try SlurmFixtures.text("\(dialect)/scontrol-show-node.txt")
        let nodes = try SlurmDecoder.nodes(scontrolNodes: text)
        let node = try #require(nodes.first)
        #expect(nodes.count == 1)
        #expect(node.name == "localhost")
        #expect(node.state.base == .mixed)
        #expect(node.partitions == ["gpu"])
        #expect(node.cpusTotal == 2)
        #expect(node.cpusAllocated == 1)
        #expect(node.memoryTotalBytes == 8000 * 1024 * 1024)
        #expect(node.memoryAllocatedBytes == 1000 * 1024 * 1024)
        #expect(node.gpusTotal == 8)
        // Without slurmdbd (no GPU accounting TRES) AllocTRES names no GPUs.
        #expect(node.gpusAllocated == (dialect.hasSuffix("nodbd") ? 0 : 8))
        let record = try #require(try SlurmKeyValueRecord.parse(text, recordKey: "NodeName").first)
        #expect(record["OS"]?.hasPrefix("Linux 6.18.44-fc-v669 #1 SMP") == true)
    }

    static let drainResume: [(String, String, String)] = [
        ("0-before", "mixed", ""), ("1-draining", "draining", "test"), ("2-drained", "drained", "test"),
        ("3-resumed", "idle", ""), ("4-down", "down", "hw-fault"), ("5-resumed-from-down", "idle", ""),
    ]

    @Test("drain and resume: the state's status and the reason without who and when", arguments: drainResume)
    func drainAndResume(step: String, status: String, reason: String) throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        for dialect in ["22.05.8-slurmdbd", "24.11.5-slurmdbd"] {
            let text = try SlurmFixtures.text("\(dialect)/drain-resume/scontrol-show-node-\(step).txt")
            let node = try #require(try SlurmDecoder.nodes(scontrolNodes: text).first)
            #expect(node.state.sinfoName == status, "\(dialect) \(step)")
            #expect(node.reason == reason, "\(dialect) \(step)")
        }
    }

    static let badNodes: [(String, String, SchedulerError.Code, Int, String)] = [
        ("no State", "NodeName=n1 CPUTot=2\n", .missingKey, 1, "State"),
        ("an unknown state", "NodeName=n1 State=IDLE\nNodeName=n2 State=SLEEPY\n", .unknownState, 2, "State"),
        ("a count that is not a number", "NodeName=n1 State=IDLE CPUTot=two\n", .invalidValue, 1, "CPUTot"),
        ("a stray word", "NodeName=n1 State=IDLE+DRAIN stray\n", .malformedText, 1, "State"),
    ]

    @Test("bad scontrol node text: the code, line and key", arguments: badNodes)
    func badNodeText(_ what: String, text: String, code: SchedulerError.Code, line: Int, key: String) {
        do {
            _ = try SlurmDecoder.nodes(scontrolNodes: text)
            Issue.record("\(what): no error")
        } catch {
            #expect(error.code == code, "\(what): \(error)")
            #expect(error.line == line, "\(what): \(error)")
            #expect(error.keyPath == key, "\(what): \(error)")
        }
    }

    @Test("slurm_job_gpu_info: one series per GPU with the job's labels, duplicates once")
    func gpuInfo() {
        let allocation = SlurmJobAllocation(
            jobID: "9", user: "alice", account: "ml", partition: "gpu", node: "n1", gpuIndices: [0, 3])
        var set = MetricSet()
        SlurmMetrics.appendGPUInfo([allocation, allocation], to: &set)
        let family = set.families.first { $0.name == "slurm_job_gpu_info" }
        #expect(family?.samples.count == 2)
        #expect(
            family?.samples.first?.labels
                == ["job_id": "9", "user": "alice", "account": "ml", "partition": "gpu", "node": "n1", "gpu": "0"])
        #expect(family?.samples.allSatisfy { $0.value == 1 } == true)
    }
}
