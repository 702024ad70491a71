/// One simulated GPU: its physical state, its counters and its faults, stepped by its node.
///
/// The chain each step: the job's demand and the GPU's own noise give utilisation; utilisation
/// gives the power the work wants; the temperature from the last step limits the clocks
/// (thermal slowdown) and the power limit caps the power (which lowers the clocks again); the
/// power sets the temperature the die heads for, reached with a first-order lag.
struct SimulatedGPU: Sendable {
    let identity: GPUIdentity
    var random: SimulationRandom

    // Environment.
    let baseInletCelsius: Double
    var inletCelsius: Double
    let thermalResistance: Double
    var temperature: Double
    var memoryTemperature: Double
    var powerLimitWatts: Double

    // Work: the node's job slot this GPU belongs to, and its rank in that job.
    var jobSlot: Int?
    var rank = 0
    var utilizationNoise = 0.0

    // What the last step produced.
    var utilization = 0.0
    var power: Double
    var smClock: Double
    var memoryClock: Double
    var videoClock: Double
    var performanceState: Int
    var reasons: ClockEventReasons = .gpuIdle
    var graphicsActive = 0.0
    var tensorActive = 0.0
    var dramActive = 0.0
    var pcieTxBytesPerSecond = 0.0
    var pcieRxBytesPerSecond = 0.0
    var processMemoryBytes = 0.0
    var equilibriumTemperature: Double
    var memoryEquilibriumTemperature: Double

    // Counters (monotonic).
    var energyMillijoules: Double
    var nvlinkTxBytes: [Double]
    var nvlinkRxBytes: [Double]
    var nvlinkCRCErrors: [Double]
    var nvlinkReplayErrors: [Double]
    var nvlinkRecoveryErrors: [Double]
    /// Each link's share of the traffic (links are not perfectly balanced).
    let nvlinkWeights: [Double]
    var eccVolatileCorrected = 0.0
    var eccVolatileUncorrected = 0.0
    var eccAggregateCorrected: Double
    var eccAggregateUncorrected = 0.0
    var remappedCorrectable: Double
    var remappedUncorrectable = 0.0
    var remapPending = false
    var remapFailure = false
    var pcieReplays = 0.0
    var xidCounts: [Int: Double] = [:]
    var lastXID = 0

    var faults = SimulatedFaultState()

    init(identity: GPUIdentity, profile: GPUProfile, nodeInletCelsius: Double, random: SimulationRandom) {
        self.identity = identity
        self.random = random
        // GPUs further down the airflow run warmer.
        baseInletCelsius = nodeInletCelsius + Double(identity.index % 4) * 0.8 + self.random.uniform(0...1.5)
        inletCelsius = baseInletCelsius
        thermalResistance = profile.thermalResistanceCelsiusPerWatt * self.random.uniform(0.93...1.07)
        power = profile.idlePowerWatts
        temperature = baseInletCelsius + thermalResistance * power
        memoryTemperature = temperature + 3
        equilibriumTemperature = temperature
        memoryEquilibriumTemperature = memoryTemperature
        powerLimitWatts = profile.defaultPowerLimitWatts
        smClock = profile.idleSMClockMHz
        memoryClock = profile.idleMemoryClockMHz
        videoClock = profile.idleVideoClockMHz
        performanceState = profile.idlePerformanceState

        // The driver has been up for a while: counters start where weeks of mixed use left them.
        let uptimeSeconds = self.random.uniform(2...60) * 86_400
        let averagePower = profile.idlePowerWatts + 0.45 * (profile.defaultPowerLimitWatts - profile.idlePowerWatts)
        energyMillijoules = (uptimeSeconds * averagePower * 1000 * self.random.uniform(0.8...1.2)).rounded(.down)
        var weights: [Double] = []
        for _ in 0..<profile.nvlinkCount { weights.append(self.random.uniform(0.97...1.03)) }
        nvlinkWeights = weights
        let linkBytes = (uptimeSeconds * profile.nvlinkBytesPerSecondPerLink * 0.08).rounded(.down)
        nvlinkTxBytes = weights.map { ($0 * linkBytes).rounded(.down) }
        nvlinkRxBytes = nvlinkTxBytes
        nvlinkCRCErrors = Array(repeating: 0, count: profile.nvlinkCount)
        nvlinkReplayErrors = nvlinkCRCErrors
        nvlinkRecoveryErrors = nvlinkCRCErrors
        // A few boards carry history: corrected errors over their life, the odd remapped row.
        eccAggregateCorrected = self.random.chance(0.1) ? Double(self.random.integer(1...40)) : 0
        remappedCorrectable = self.random.chance(0.03) ? 1 : 0
    }

    var isSchedulable: Bool { jobSlot == nil && !faults.lost && !remapPending && !remapFailure }

    /// Advances the physics by one step; `demand` is nil when no job runs here.
    mutating func step(_ step: SimulationStep, demand: SimulatedJobDemand?, profile: GPUProfile) {
        let seconds = step.seconds
        let cooling = faults.coolingFailure
        inletCelsius += (baseInletCelsius + (cooling ? 30 : 0) - inletCelsius) * step.inletLag
        let resistance = thermalResistance * (cooling ? 1.6 : 1)

        if faults.lost {
            // Nothing can be read and nothing runs; the board cools toward the air around it.
            utilization = 0
            power = 0
            temperature += (inletCelsius - temperature) * step.thermalLag
            memoryTemperature += (inletCelsius - memoryTemperature) * step.memoryLag
            return
        }

        // Utilisation: the job's target plus this GPU's own jitter (a smooth AR(1) walk).
        var busy = 0.0
        if let demand, !faults.stuck {
            let keep = seconds >= 1 ? 0.7 : 1 - 0.3 * seconds
            utilizationNoise = utilizationNoise * keep + random.gaussian() * 0.012 * min(1, seconds).squareRoot()
            busy = min(1, max(0, demand.activity + utilizationNoise))
        }
        utilization = busy
        let hasContext = demand != nil
        let floorPower = hasContext ? profile.contextIdlePowerWatts : profile.idlePowerWatts
        let wantedPower =
            floorPower + (profile.defaultPowerLimitWatts - floorPower) * (demand?.powerIntensity ?? 0) * busy

        // Clocks: thermal slowdown from the temperature the die is at, then the power cap.
        var reasons: ClockEventReasons = []
        var clockFactor = 1.0
        if hasContext {
            if temperature > profile.maxOperatingTemperatureCelsius {
                clockFactor -= 0.04 * (temperature - profile.maxOperatingTemperatureCelsius)
                reasons.insert(.swThermalSlowdown)
            }
            if temperature > profile.slowdownTemperatureCelsius {
                // Hardware slowdown clamps hard a degree past the threshold: the die then hovers
                // 1–2 °C above slowdown and well short of shutdown, as throttled boards do.
                clockFactor -= 0.25 * max(0, temperature - profile.slowdownTemperatureCelsius - 1)
                reasons.formUnion([.hwSlowdown, .hwThermalSlowdown])
            }
            clockFactor = max(0.3, clockFactor)
        }
        // Dynamic power goes roughly with f·V², and V with f: about f^2.5.
        var drawn = floorPower + (wantedPower - floorPower) * clockFactor * clockFactor * clockFactor.squareRoot()
        let capTarget = powerLimitWatts * 0.985
        if drawn > capTarget, drawn > floorPower {
            let ratio = max(0, capTarget - floorPower) / (drawn - floorPower)
            clockFactor *= SimulationMath.pow(ratio, 0.4)
            drawn = capTarget
            reasons.insert(.swPowerCap)
        }
        drawn *= 1 + random.gaussian() * 0.006
        power = min(powerLimitWatts, max(0, drawn))
        if !hasContext || busy < 0.05 { reasons.insert(.gpuIdle) }
        self.reasons = reasons

        if hasContext {
            performanceState = 0
            let sm = max(profile.idleSMClockMHz, profile.maxSMClockMHz * clockFactor)
            smClock = min(profile.maxSMClockMHz, (sm / 15).rounded(.down) * 15)
            memoryClock = profile.maxMemoryClockMHz
            let video = max(profile.idleVideoClockMHz, profile.maxVideoClockMHz * clockFactor)
            videoClock = min(profile.maxVideoClockMHz, (video / 15).rounded(.down) * 15)
        } else {
            performanceState = profile.idlePerformanceState
            smClock = profile.idleSMClockMHz
            memoryClock = profile.idleMemoryClockMHz
            videoClock = profile.idleVideoClockMHz
        }

        // Heat: first-order lag toward the equilibrium the power and the inlet air set.
        equilibriumTemperature = inletCelsius + resistance * power
        memoryEquilibriumTemperature = inletCelsius + 1.1 * resistance * power + 3
        temperature += (equilibriumTemperature - temperature) * step.thermalLag
        memoryTemperature += (memoryEquilibriumTemperature - memoryTemperature) * step.memoryLag
        energyMillijoules += power * seconds * 1000

        // What the work looks like from the profiler, the memory, the buses.
        graphicsActive = busy * 0.97
        if let demand {
            tensorActive = min(1, graphicsActive * demand.tensorShare * (1 + random.gaussian() * 0.03))
            dramActive = min(1, graphicsActive * demand.dramShare * (1 + random.gaussian() * 0.03))
            processMemoryBytes = demand.memoryFraction * (profile.memoryTotalBytes - profile.memoryReservedBytes)
            let moving = faults.stuck ? 0.001 : 1
            pcieRxBytesPerSecond = demand.pcieRxBytesPerSecond * moving
            pcieTxBytesPerSecond = demand.pcieTxBytesPerSecond * moving
            let perLink =
                profile.nvlinkBytesPerSecondPerLink * demand.nvlinkShare * (faults.stuck ? 0 : 1) * seconds
                * (1 + random.gaussian() * 0.05)
            if perLink > 0 {
                for link in nvlinkTxBytes.indices {
                    nvlinkTxBytes[link] += perLink * nvlinkWeights[link]
                    nvlinkRxBytes[link] += perLink * nvlinkWeights[nvlinkWeights.count - 1 - link]
                }
            }
        } else {
            tensorActive = 0
            dramActive = 0
            processMemoryBytes = 0
            pcieRxBytesPerSecond = random.uniform(0...24_000)
            pcieTxBytesPerSecond = random.uniform(0...12_000)
        }

        stepFaults(seconds: seconds)
    }

    /// The ongoing faults' counters.
    private mutating func stepFaults(seconds: Double) {
        if faults.eccStorm {
            let errors = (random.uniform(200...800) * seconds).rounded(.down)
            eccVolatileCorrected += errors
            eccAggregateCorrected += errors
        }
        if let link = faults.nvlinkErrorLink {
            nvlinkCRCErrors[link] += (random.uniform(20...80) * seconds).rounded(.down)
            nvlinkReplayErrors[link] += (random.uniform(0...6) * seconds).rounded(.down)
            if random.chance(min(1, 0.02 * seconds)) {
                nvlinkRecoveryErrors[link] += 1
                recordXID(74)
            }
        }
        if faults.pcieReplayStorm {
            pcieReplays += (random.uniform(100...400) * seconds).rounded(.down)
        }
    }

    /// Sets the temperatures to where the current power leads (no warm-up transient at start).
    mutating func settle() {
        temperature = equilibriumTemperature
        memoryTemperature = memoryEquilibriumTemperature
    }

    mutating func recordXID(_ code: Int) {
        xidCounts[code, default: 0] += 1
        lastXID = code
    }
}

/// The faults acting on one GPU now.
struct SimulatedFaultState: Sendable, Equatable {
    var coolingFailure = false
    var eccStorm = false
    var nvlinkErrorLink: Int?
    var pcieReplayStorm = false
    var powerCapWatts: Double?
    var stuck = false
    var lost = false
}

/// Per-step constants shared by every GPU of a fleet.
struct SimulationStep: Sendable {
    var nowMs: Int64
    var dtMs: Int64
    var seconds: Double
    var thermalLag: Double
    var memoryLag: Double
    var inletLag: Double

    init(nowMs: Int64, dtMs: Int64, profile: GPUProfile) {
        self.nowMs = nowMs
        self.dtMs = dtMs
        seconds = Double(dtMs) / 1000
        let tau = profile.thermalTimeConstantSeconds
        thermalLag = 1 - SimulationMath.exp(-seconds / tau)
        memoryLag = 1 - SimulationMath.exp(-seconds / (1.5 * tau))
        inletLag = 1 - SimulationMath.exp(-seconds / 90)
    }
}
