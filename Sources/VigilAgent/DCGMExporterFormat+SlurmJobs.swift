import VigilGPU
import VigilScheduler

extension DCGMExporterFormat {
    /// A ``DCGMExporterFormat/slurmJobLookup`` that names a GPU process's Slurm job from the latest job list
    /// of the Slurm collector running in the same agent (`--slurm` or `--slurm-restd`), so that
    /// `vigil_gpu_job_info` gets the job's account and partition (and its user where the process's own is
    /// unknown) without a Slurm call per scrape. Slurm's empty strings count as unknown.
    public static func slurmJobLookup(_ directory: any SlurmJobDirectory) -> SlurmJobLookup {
        { id in
            directory.job(id: id).map { job in
                SlurmJobOwner(user: job.user.nonEmpty, account: job.account.nonEmpty, partition: job.partition.nonEmpty)
            }
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
