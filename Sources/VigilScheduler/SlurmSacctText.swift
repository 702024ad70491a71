/// One job's state and exit code from `sacct -P` text (`JobID|State|ExitCode|…`).
public struct SlurmSacctExit: Sendable, Equatable {
    /// The id as `sacct` prints it: `2`, or `3_1` for an array task (matches ``SlurmJob/displayID``).
    public var jobID: String
    public var state: SlurmJobState
    public var exitCode: SlurmExitCode

    public init(jobID: String, state: SlurmJobState, exitCode: SlurmExitCode) {
        self.jobID = jobID
        self.state = state
        self.exitCode = exitCode
    }
}

extension SlurmDecoder {
    /// Jobs' states and exit codes from `sacct -P --format=JobID,State,ExitCode[,…]` (any column order,
    /// found by the header line); steps (`4.batch`, `4.0`) are left out. 22.05's `sacct --json` writes
    /// exit code 0 for jobs that exited non-zero; this text is right in every version.
    ///
    /// - Throws: ``SchedulerError`` with the line and column name: `missing_key` for a header without
    ///   `JobID`, `State` or `ExitCode`; `malformed_text` for a row with another number of fields;
    ///   `unknown_state`; `invalid_value` for an exit code that is not `N:M`.
    public static func sacctExits(text: String) throws(SchedulerError) -> [SlurmSacctExit] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().makeIterator()
        var header: [Substring] = []
        var headerLine = 0
        while let (offset, line) = lines.next() {
            if line.allSatisfy({ $0 == " " || $0 == "\r" }) { continue }
            header = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingSuffix("\r") }
            headerLine = offset + 1
            break
        }
        guard headerLine > 0 else { return [] }
        func column(_ name: String) throws(SchedulerError) -> Int {
            guard let index = header.firstIndex(where: { $0.lowercased() == name.lowercased() }) else {
                throw SchedulerError(
                    .missingKey, "the sacct header has no \(name) column (run sacct -P --format=JobID,State,ExitCode)",
                    keyPath: name, line: headerLine)
            }
            return index
        }
        let idColumn = try column("JobID")
        let stateColumn = try column("State")
        let exitColumn = try column("ExitCode")
        var exits: [SlurmSacctExit] = []
        while let (offset, rawLine) = lines.next() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingSuffix("\r")
            if line.isEmpty { continue }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw SchedulerError(
                    .malformedText,
                    "\(fields.count) fields where the header has \(header.count) (was sacct run with -P?)",
                    line: lineNumber)
            }
            let id = String(fields[idColumn])
            if id.contains(".") || id.isEmpty { continue }  // a step, not a job
            // `CANCELLED by 1001`: the state is the first word.
            let stateName = fields[stateColumn].split(separator: " ").first.map(String.init) ?? ""
            var state: SlurmJobState
            do {
                state = try SlurmJobState(names: [stateName], keyPath: "State")
            } catch {
                var located = error
                located.line = lineNumber
                throw located
            }
            let exit = fields[exitColumn].split(separator: ":", omittingEmptySubsequences: false)
            guard exit.count == 2, let code = Int64(exit[0]), let signal = Int64(exit[1]), code >= 0, signal >= 0 else {
                throw SchedulerError(
                    .invalidValue, "exit code \"\(fields[exitColumn])\" is not return code:signal",
                    keyPath: "ExitCode", line: lineNumber)
            }
            exits.append(
                SlurmSacctExit(
                    jobID: id, state: state,
                    exitCode: SlurmExitCode(returnCode: code, signal: signal == 0 ? nil : signal)))
        }
        return exits
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ character: Character) -> Substring {
        last == character ? dropLast() : self
    }
}
