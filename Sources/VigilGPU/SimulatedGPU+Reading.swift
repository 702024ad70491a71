extension SimulatedGPU {
    private static let mebibyte = 1_048_576.0
    /// What the driver shows as used with no process at all.
    static let driverBaselineBytes = mebibyte

    /// The GPU as a backend reads it, quantised as NVML reports: whole percent and °C, milliwatts,
    /// whole MiB, whole MHz, KiB/s, whole millijoules and counts.
    func reading(profile: GPUProfile, job: SimulatedJob?) -> GPUReading {
        var reading = GPUReading(identity: identity)
        reading.xidCounts = xidCounts
        reading.lastXID = lastXID
        if faults.lost {
            reading.isLost = true
            return reading
        }

        let percent = (utilization * 100).rounded()
        reading.gpuUtilizationPercent = percent
        reading.memoryUtilizationPercent = min(100, (dramActive * 130).rounded())
        reading.encoderUtilizationPercent = 0
        reading.decoderUtilizationPercent = 0

        let processMemory = (processMemoryBytes / Self.mebibyte).rounded(.down) * Self.mebibyte
        let used = Self.driverBaselineBytes + processMemory
        reading.memoryTotalBytes = profile.memoryTotalBytes
        reading.memoryReservedBytes = profile.memoryReservedBytes
        reading.memoryUsedBytes = used
        reading.memoryFreeBytes = profile.memoryTotalBytes - profile.memoryReservedBytes - used

        reading.graphicsClockMHz = smClock
        reading.smClockMHz = smClock
        reading.memoryClockMHz = memoryClock
        reading.videoClockMHz = videoClock
        reading.maxSMClockMHz = profile.maxSMClockMHz
        reading.maxMemoryClockMHz = profile.maxMemoryClockMHz

        reading.gpuTemperatureCelsius = temperature.rounded()
        if profile.memoryMaxOperatingTemperatureCelsius != nil {
            reading.memoryTemperatureCelsius = memoryTemperature.rounded()
        }
        reading.slowdownTemperatureCelsius = profile.slowdownTemperatureCelsius
        reading.shutdownTemperatureCelsius = profile.shutdownTemperatureCelsius

        reading.powerUsageWatts = (power * 1000).rounded() / 1000
        reading.powerLimitWatts = powerLimitWatts
        reading.enforcedPowerLimitWatts = powerLimitWatts
        reading.totalEnergyMillijoules = energyMillijoules.rounded(.down)
        reading.performanceState = performanceState
        reading.clockEventReasons = reasons

        reading.graphicsEngineActiveRatio = Self.ratio(graphicsActive)
        reading.tensorPipeActiveRatio = Self.ratio(tensorActive)
        reading.dramActiveRatio = Self.ratio(dramActive)

        reading.ecc = ECCCounters(
            volatileCorrected: eccVolatileCorrected, volatileUncorrected: eccVolatileUncorrected,
            aggregateCorrected: eccAggregateCorrected, aggregateUncorrected: eccAggregateUncorrected)
        // Hopper and Ampere remap rows; page retirement is pre-Ampere (NVML: not supported).
        reading.remappedRows = RemappedRows(
            correctable: remappedCorrectable, uncorrectable: remappedUncorrectable, pending: remapPending,
            failure: remapFailure)

        var pcie = PCIeReading()
        // An idle link trains down to gen 1 to save power, as real boards do.
        pcie.generation = performanceState == 0 ? profile.pcieGeneration : 1
        pcie.maxGeneration = profile.pcieGeneration
        pcie.width = profile.pcieWidth
        pcie.maxWidth = profile.pcieWidth
        pcie.txBytesPerSecond = (pcieTxBytesPerSecond / 1024).rounded() * 1024
        pcie.rxBytesPerSecond = (pcieRxBytesPerSecond / 1024).rounded() * 1024
        pcie.replayCounter = pcieReplays
        reading.pcie = pcie

        var links: [NVLinkReading] = []
        links.reserveCapacity(nvlinkTxBytes.count)
        for index in nvlinkTxBytes.indices {
            var link = NVLinkReading(link: index, isActive: true)
            link.txBytes = nvlinkTxBytes[index].rounded(.down)
            link.rxBytes = nvlinkRxBytes[index].rounded(.down)
            link.crcErrors = nvlinkCRCErrors[index]
            link.replayErrors = nvlinkReplayErrors[index]
            link.recoveryErrors = nvlinkRecoveryErrors[index]
            links.append(link)
        }
        reading.nvlinks = links

        if let job {
            var process = GPUProcess(pid: job.firstPID + rank)
            process.name = job.processName
            process.usedMemoryBytes = processMemory
            process.smUtilizationPercent = percent
            process.type = "compute"
            process.user = job.user
            process.slurmJobID = job.id
            if !job.account.isEmpty { process.slurmAccount = job.account }
            if !job.partition.isEmpty { process.slurmPartition = job.partition }
            reading.processes = [process]
        }
        return reading
    }

    private static func ratio(_ value: Double) -> Double {
        (min(1, max(0, value)) * 10_000).rounded() / 10_000
    }
}
