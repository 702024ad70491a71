import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilJobs

/// Reads jobs from a Vigil server's `/api/v1/jobs*` and lays them out for `vigil jobs`.
public struct JobsAPIClient: Sendable {
    public var serverURL: String
    public var httpClient: HTTPClient

    public init(serverURL: String, httpClient: HTTPClient = .shared) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.httpClient = httpClient
    }

    /// Running and recent jobs, newest first.
    public func jobs(state: JobState? = nil, user: String? = nil, account: String? = nil, start: String? = nil)
        async throws(APIError) -> [JobReport]
    {
        var query: [(String, String)] = []
        if let state { query.append(("state", state.rawValue)) }
        if let user { query.append(("user", user)) }
        if let account { query.append(("account", account)) }
        if let start { query.append(("start", start)) }
        return try await get("/api/v1/jobs", query)
    }

    /// One job's report.
    public func report(id: String) async throws(APIError) -> JobReport {
        try await get("/api/v1/jobs/" + Self.pathEncoded(id), [])
    }

    /// GPU-hours per user or account; `start`/`end` as the API takes them (RFC 3339 or Unix seconds).
    public func showback(by grouping: ShowbackGrouping, start: String? = nil, end: String? = nil)
        async throws(APIError) -> [ShowbackRow]
    {
        var query = [("by", grouping.rawValue)]
        if let start { query.append(("start", start)) }
        if let end { query.append(("end", end)) }
        return try await get("/api/v1/jobs/showback", query)
    }

    private struct Envelope<T: Decodable>: Decodable {
        var status: String
        var data: T?
        var errorType: String?
        var error: String?
    }

    private func get<T: Decodable>(_ path: String, _ query: [(String, String)]) async throws(APIError) -> T {
        let queryText = query.map { "\($0.0)=\(Self.queryEncoded($0.1))" }.joined(separator: "&")
        let url = serverURL + path + (queryText.isEmpty ? "" : "?" + queryText)
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let status: UInt
        let body: Data
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(60))
            status = response.status.code
            body = Data(try await response.body.collect(upTo: 1 << 28).readableBytesView)
        } catch {
            throw APIError(.unavailable, "cannot read \(url): \(error)")
        }
        try Self.decodeError(body, status: status, url: url)
        return try Self.decode(body, url: url)
    }

    static func decodeError(_ body: Data, status: UInt, url: String) throws(APIError) {
        guard status != 200 else { return }
        if let envelope = try? JSONDecoder().decode(Envelope<String>.self, from: body), let message = envelope.error {
            let code = envelope.errorType.flatMap(APIError.Code.init(rawValue:)) ?? .unavailable
            throw APIError(code, message)
        }
        throw APIError(.unavailable, "\(url) answered \(status) (is it a Vigil server with the jobs API?)")
    }

    static func decode<T: Decodable>(_ body: Data, url: String) throws(APIError) -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            let envelope = try decoder.decode(Envelope<T>.self, from: body)
            guard let data = envelope.data else { throw APIError(.internal, "\(url) answered without data") }
            return data
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.internal, "\(url) answered something that is not a jobs answer: \(error)")
        }
    }

    static func queryEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? text
    }

    static func pathEncoded(_ text: String) -> String { queryEncoded(text) }

    // MARK: Text

    /// `vigil jobs`: one line per job.
    public static func table(_ reports: [JobReport]) -> String {
        if reports.isEmpty { return "no jobs\n" }
        var rows = [["JOB", "USER", "ACCOUNT", "GPUS", "UTIL AVG/MAX", "PEAK MEM", "ENERGY", "IDLE GPUS", "STATE"]]
        for report in reports {
            rows.append([
                report.job.id, report.job.user, report.job.account ?? "-", "\(report.gpuCount)",
                percent(report.utilizationAverage) + "/" + percent(report.utilizationMax),
                memory(report.peakMemoryMiB), energy(report.energyJoules), "\(report.idleGPUCount)",
                report.job.state.rawValue,
            ])
        }
        return layout(rows)
    }

    /// `vigil jobs report JOBID`: the figures, advice, per node and per GPU.
    public static func reportText(_ report: JobReport) -> String {
        let job = report.job
        var text = "Job \(job.id)  user \(job.user)"
        if let account = job.account { text += "  account \(account)" }
        if let partition = job.partition { text += "  partition \(partition)" }
        text += "  \(job.state.rawValue)\n"
        text += "  from \(iso(job.firstSampleMs)) to \(iso(job.lastSampleMs)) (\(duration(report.durationMs)))\n"
        text +=
            "  GPUs \(report.gpuCount) (\(report.idleGPUCount) idle)  utilisation avg \(percent(report.utilizationAverage))"
        text += " max \(percent(report.utilizationMax))  peak memory \(memory(report.peakMemoryMiB))"
        if let total = report.memoryTotalMiB { text += " of \(memory(total))" }
        text += "  energy \(energy(report.energyJoules))"
        if let cpu = report.cpuEfficiency { text += "  CPU efficiency \(percent(cpu * 100))" }
        if let iowait = report.iowait { text += "  iowait \(percent(iowait * 100))" }
        text += "\n\nAdvice:\n"
        if report.advice.isEmpty { text += "  nothing to improve was found\n" }
        for advice in report.advice { text += "  - \(advice.message)\n" }
        for note in report.notes { text += "  note: \(note)\n" }
        var nodes = [["NODE", "GPUS", "UTIL AVG", "PEAK MEM", "ENERGY", "CPU EFF", "IOWAIT"]]
        for node in report.nodes {
            nodes.append([
                node.hostname, "\(node.gpuCount)", percent(node.utilizationAverage), memory(node.peakMemoryMiB),
                energy(node.energyJoules), percent(node.cpuEfficiency.map { $0 * 100 }),
                percent(node.iowait.map { $0 * 100 }),
            ])
        }
        text += "\n" + layout(nodes)
        var gpus = [["NODE", "GPU", "UUID", "UTIL AVG/MAX", "PEAK MEM", "ENERGY", "IDLE"]]
        for gpu in report.gpus {
            gpus.append([
                gpu.gpu.hostname, gpu.gpu.gpu, gpu.gpu.uuid,
                percent(gpu.utilizationAverage) + "/" + percent(gpu.utilizationMax), memory(gpu.peakMemoryMiB),
                energy(gpu.energyJoules), gpu.idle ? "idle" : "-",
            ])
        }
        return text + "\n" + layout(gpus)
    }

    /// `vigil jobs showback`.
    public static func showbackTable(_ rows: [ShowbackRow], by grouping: ShowbackGrouping) -> String {
        if rows.isEmpty { return "no GPU was allocated in this range\n" }
        var table = [[grouping.rawValue.uppercased(), "GPU-H ALLOCATED", "GPU-H USED", "EFFICIENCY", "JOBS"]]
        for row in rows {
            table.append([
                row.key.isEmpty ? "(none)" : row.key, hours(row.gpuHoursAllocated), hours(row.gpuHoursUsed),
                percent(row.efficiency.map { $0 * 100 }), "\(row.jobs)",
            ])
        }
        return layout(table)
    }

    static func layout(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return "\(Int(value.rounded()))%"
    }

    static func memory(_ mebibytes: Double?) -> String {
        guard let mebibytes, mebibytes.isFinite else { return "-" }
        if mebibytes >= 1024 { return String(format: "%.1f GiB", mebibytes / 1024) }
        return "\(Int(mebibytes.rounded())) MiB"
    }

    static func energy(_ joules: Double?) -> String {
        guard let joules, joules.isFinite else { return "-" }
        if joules < 3_600_000 { return String(format: "%.0f Wh", joules / 3600) }
        return String(format: "%.2f kWh", joules / 3_600_000)
    }

    static func hours(_ value: Double) -> String { String(format: "%.1f", value) }

    static func duration(_ ms: Int64) -> String {
        let minutes = ms / 60_000
        return minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min"
    }

    static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
