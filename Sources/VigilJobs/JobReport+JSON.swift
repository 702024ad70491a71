import Foundation

extension JobReport {
    /// The report as JSON (keys sorted, so the same report always gives the same text): what
    /// meta.sqlite's `job_summary.report` holds.
    public func jsonString() throws(JobsError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        } catch {
            throw JobsError(.badRequest, "the report cannot be encoded: \(error)", key: "job \(job.id)")
        }
    }

    /// Reads a report written by ``jsonString()``.
    public init(jsonString: String) throws(JobsError) {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            self = try decoder.decode(JobReport.self, from: Data(jsonString.utf8))
        } catch {
            throw JobsError(
                .badRequest, "a stored job report cannot be read (written by another Vigil version?): \(error)",
                key: "report")
        }
    }
}
