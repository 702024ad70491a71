import VigilModel

/// Kubernetes pods as jobs: a `vigil_gpu_job_info` series with a `pod_uid` and no `job_id` is the job
/// `namespace/pod` (the UID when the agent could not name the pod), with the namespace as its user and
/// account and `kubernetes` as its partition.
extension JobAnalyzer {
    /// The partition every pod job is in.
    public static let podPartition = "kubernetes"

    /// The info series of Slurm jobs, and of pods.
    static let slurmSelector = "job_id!=\"\""
    static let podSelector = "job_id=\"\",pod_uid!=\"\""

    /// Who a `vigil_gpu_job_info` series belongs to; nil when it names neither a job nor a pod.
    static func identity(of labels: Labels) -> (
        id: String, user: String, account: String?, partition: String?, podUID: String?
    )? {
        func value(_ name: String) -> String? { labels[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let id = value("job_id") {
            return (id, labels["user"] ?? "", value("account"), value("partition"), nil)
        }
        guard let uid = value("pod_uid") else { return nil }
        let namespace = value("namespace") ?? ""
        let id = value("pod").map { namespace.isEmpty ? $0 : "\(namespace)/\($0)" } ?? uid
        return (id, namespace, namespace.isEmpty ? nil : namespace, podPartition, uid)
    }

    /// The label matchers that select the info series of `job`.
    static func infoSelector(for job: JobAllocation) -> String {
        guard job.podUID != nil else { return "job_id=\"\(escapeLabelValue(job.id))\"" }
        return podSelectors(forID: job.id)[0]
    }

    /// The selectors a job id may stand for, in the order they are tried: a Slurm job id, then a pod's
    /// `namespace/name` (an id with a `/`, which neither Slurm ids nor Kubernetes names contain) or UID.
    static func selectors(forID id: String) -> [String] {
        ["job_id=\"\(escapeLabelValue(id))\""] + podSelectors(forID: id)
    }

    private static func podSelectors(forID id: String) -> [String] {
        if let slash = id.firstIndex(of: "/") {
            let namespace = escapeLabelValue(String(id[..<slash]))
            let pod = escapeLabelValue(String(id[id.index(after: slash)...]))
            return ["job_id=\"\",pod_uid!=\"\",namespace=\"\(namespace)\",pod=\"\(pod)\""]
        }
        return ["job_id=\"\",pod_uid=\"\(escapeLabelValue(id))\""]
    }

    /// The info series of Slurm jobs and pods alike, with pods' `job_id`, `user`, `account` and `partition`
    /// set as ``identity(of:)`` sets them, for queries that group by those labels. `wrap` turns a selector
    /// (`vigil_gpu_job_info{…}`) into the vector to relabel, e.g. a `last_over_time` of it.
    static func jobInfo(_ wrap: (String) -> String = { $0 }) -> String {
        func relabel(_ expression: String) -> String {
            var out = expression
            for label in ["user", "account"] {
                out = "label_replace(\(out), \"\(label)\", \"$1\", \"namespace\", \"(.*)\")"
            }
            return "label_replace(\(out), \"partition\", \"\(podPartition)\", \"pod_uid\", \".*\")"
        }
        let named =
            "label_join(\(wrap("\(infoMetric){\(podSelector),namespace!=\"\",pod!=\"\"}")), "
            + "\"job_id\", \"/\", \"namespace\", \"pod\")"
        let unnamed =
            "label_replace(\(wrap("\(infoMetric){\(podSelector),pod=\"\"}")), "
            + "\"job_id\", \"$1\", \"pod_uid\", \"(.*)\")"
        return "(\(wrap("\(infoMetric){\(slurmSelector)}")) or \(relabel(named)) or \(relabel(unnamed)))"
    }
}
