import Testing
import VigilScheduler

@Suite("Slurm bad input: precise errors, never a crash")
struct SlurmBadInputTests {
    func jobsError(_ text: String) -> SchedulerError? {
        do {
            _ = try SlurmDecoder.jobs(Array(text.utf8))
            return nil
        } catch { return error }
    }

    @Test("a truncated fixture says where it broke")
    func truncatedFixture() throws {
        try #require(SlurmFixtures.available, SlurmFixtures.skipMessage)
        let bytes = try SlurmFixtures.bytes("24.11.5-slurmdbd/squeue-states-all.json")
        for cut in [1, 100, bytes.count / 2, bytes.count - 3] {
            let error = try #require(jobsError(String(decoding: bytes.prefix(cut), as: UTF8.self)))
            #expect(error.code == .malformedJSON)
            #expect(error.line != nil)
            #expect(error.message.contains("truncated"), "\(error)")
        }
    }

    @Test(
        "malformed JSON gives line and column",
        arguments: [
            ("{\"jobs\": [1,]}", 1, 13),
            ("{\n  \"jobs\": [\n    {\"job_id\" 1}\n  ]\n}", 3, 15),
            ("{\"jobs\": []} x", 1, 14),
            ("{\"jobs\": [\"\\q\"]}", 1, 14),
        ])
    func malformed(text: String, line: Int, column: Int) throws {
        let error = try #require(jobsError(text))
        #expect(error.code == .malformedJSON)
        #expect(error.line == line)
        #expect(error.column == column)
    }

    @Test(
        "wrong type at a key path",
        arguments: [
            ("{\"jobs\": [{\"job_id\": \"seven\", \"job_state\": \"RUNNING\"}]}", "jobs[0].job_id"),
            ("{\"jobs\": [{\"job_id\": 7, \"job_state\": 3}]}", "jobs[0].job_state"),
            (
                "{\"jobs\": [{\"job_id\": 7, \"job_state\": [\"RUNNING\"], \"cpus\": {\"set\": \"yes\"}}]}",
                "jobs[0].cpus.set"
            ),
            ("{\"jobs\": {}}", "jobs"),
            ("{\"jobs\": [{\"job_id\": 7, \"job_state\": \"RUNNING\", \"name\": []}]}", "jobs[0].name"),
        ])
    func wrongType(text: String, keyPath: String) throws {
        let error = try #require(jobsError(text))
        #expect(error.code == .wrongType)
        #expect(error.keyPath == keyPath)
    }

    @Test("missing key and unknown state strings name their key path")
    func unknownStateAndMissingKey() throws {
        let job = try #require(jobsError("{\"jobs\": [{\"job_id\": 7, \"job_state\": [\"RUNNING\", \"DANCING\"]}]}"))
        #expect(job.code == .unknownState)
        #expect(job.keyPath == "jobs[0].job_state")
        #expect(job.message.contains("DANCING"))
        let missing = try #require(jobsError("{\"jobs\": [{\"job_state\": \"RUNNING\"}]}"))
        #expect(missing.code == .missingKey)
        #expect(missing.keyPath == "jobs[0].job_id")
        let sacct = try #require(jobsError("{\"jobs\": [{\"job_id\": 1, \"state\": {\"current\": \"NAPPING\"}}]}"))
        #expect(sacct.code == .unknownState)
        #expect(sacct.keyPath == "jobs[0].state.current")
        do {
            _ = try SlurmDecoder.nodes(Array("{\"nodes\": [{\"name\": \"n1\", \"state\": \"sleepy\"}]}".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownState)
            #expect(error.keyPath == "nodes[0].state")
        }
    }

    @Test("the wrong document or Slurm's own error is reported, not misread")
    func wrongDocument() throws {
        do {
            _ = try SlurmDecoder.nodes(Array("{\"jobs\": []}".utf8))
            Issue.record("expected an error")
        } catch { #expect(error.code == .unsupportedDocument) }
        let slurmError = try #require(
            jobsError("{\"jobs\": [], \"errors\": [{\"description\": \"Unable to contact slurm controller\"}]}"))
        #expect(slurmError.code == .unsupportedDocument)
        #expect(slurmError.message.contains("Unable to contact slurm controller"))
        #expect(jobsError("[]")?.code == .wrongType)
        #expect(jobsError("")?.code == .malformedJSON)
    }

    @Test("sdiag text that is not sdiag, or has a bad value, names the line")
    func badSdiag() throws {
        do {
            _ = try SlurmDecoder.schedulerStats(sdiagText: "hello\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedText)
            #expect(error.line == 1)
        }
        let text = "sdiag output at Sun Nov 29 15:48:17 2026 (1795967297)\nServer thread count:  many\n"
        do {
            _ = try SlurmDecoder.schedulerStats(sdiagText: text)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedText)
            #expect(error.line == 2)
        }
        let rpc = "sdiag output at x (1)\nRemote Procedure Call statistics by user\n\troot ( 0) count:x\n"
        do {
            _ = try SlurmDecoder.schedulerStats(sdiagText: rpc)
            Issue.record("expected an error")
        } catch { #expect(error.line == 3) }
    }

    @Test("deep nesting is an error, not a stack overflow")
    func deepNesting() throws {
        let text = String(repeating: "[", count: 100_000)
        let error = try #require(jobsError(text))
        #expect(error.code == .malformedJSON)
    }
}

@Suite("GRES and TRES strings")
struct SlurmGRESTests {
    @Test(
        "GPU counts",
        arguments: [
            ("gpu:h100:8(IDX:0-7)", 8), ("gpu:4", 4), ("gres:gpu:h100:2", 2), ("gres/gpu:4", 4), ("gpu", 1),
            ("gpu:a100:2(IDX:0,2),gpu:h100:1(IDX:5)", 3), ("gpu:h100:0(IDX:N/A)", 0), ("mps:100", nil), ("", nil),
        ])
    func gres(text: String, expected: Int?) {
        #expect(SlurmGRES.gpus(fromGRES: text) == expected)
    }

    @Test(
        "TRES",
        arguments: [
            ("cpu=1,mem=1000M,node=1,billing=1,gres/gpu=2,gres/gpu:h100=2", 2),
            ("cpu=1,gres/gpu:h100=1,gres/gpu:a100=2", 3),
            ("cpu=1,mem=1000M", nil),
        ])
    func tres(text: String, expected: Int?) {
        #expect(SlurmGRES.gpus(fromTRES: text) == expected)
    }

    @Test("indices")
    func indices() {
        #expect(SlurmGRES.gpuIndices(fromGRES: "gpu:h100:8(IDX:0-2,5)") == [0, 1, 2, 5])
    }
}
