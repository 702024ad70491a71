import Testing
import VigilGPU

/// The mapping from `nvidia-smi -q -x` onto the model, on small documents written for each case.
@Suite struct NvidiaSMIXMLTests {
    static let mebibyte = 1_048_576.0

    /// A document with the given `<gpu>` bodies.
    static func document(_ gpus: String...) -> [UInt8] {
        let body = gpus.enumerated().map { index, gpu in "<gpu id=\"00000000:0\(index):00.0\">\(gpu)</gpu>" }
        return Array(
            """
            <?xml version="1.0" ?>
            <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
            <nvidia_smi_log>
            <driver_version>550.54.15</driver_version><cuda_version>12.4</cuda_version>
            <attached_gpus>\(gpus.count)</attached_gpus>
            \(body.joined(separator: "\n"))
            </nvidia_smi_log>
            """.utf8)
    }

    static func single(_ gpu: String) throws -> GPUReading {
        let readings = try NvidiaSMIXML.parse(document("<uuid>GPU-a</uuid>" + gpu))
        try #require(readings.count == 1)
        return readings[0]
    }

    @Test func minimalGPU() throws {
        let gpu = try Self.single("")
        #expect(gpu.identity.uuid == "GPU-a")
        #expect(gpu.identity.pciBusID == "00000000:00:00.0")
        #expect(gpu.identity.name == "")
        #expect(gpu.identity.driverVersion == "550.54.15")
        #expect(gpu.identity.cudaVersion == "12.4")
        #expect(gpu.identity.migEnabled == nil)
        #expect(gpu.ecc == nil && gpu.pcie == nil && gpu.clockEventReasons == nil && gpu.retiredPages == nil)
        #expect(gpu.processes.isEmpty && gpu.migInstances.isEmpty)
    }

    @Test func noGPUsIsNoReadings() throws {
        #expect(try NvidiaSMIXML.parse(Self.document()) == [])
    }

    @Test func pciBusIDFromThePCIElementWithoutAnIDAttribute() throws {
        let bytes = Array(
            "<nvidia_smi_log><gpu><uuid>GPU-b</uuid><pci><pci_bus_id>00000000:3B:00.0</pci_bus_id></pci></gpu></nvidia_smi_log>"
                .utf8)
        #expect(try NvidiaSMIXML.parse(bytes).first?.identity.pciBusID == "00000000:3B:00.0")
    }

    // MARK: Values

    /// Whatever nvidia-smi writes instead of a number is nil, never zero.
    @Test(arguments: [
        "N/A", "[N/A]", "[Not Supported]", "Unknown Error", "[Unknown Error]", "", "GPU is lost here",
        "Requested functionality has been deprecated", "12 parsecs", "0x1E", "nan %", "inf %",
    ])
    func placeholdersAreNil(_ value: String) throws {
        let gpu = try Self.single(
            """
            <utilization><gpu_util>\(value)</gpu_util></utilization>
            <fb_memory_usage><used>\(value)</used></fb_memory_usage>
            <gpu_power_readings><power_draw>\(value)</power_draw></gpu_power_readings>
            <temperature><gpu_temp>\(value)</gpu_temp></temperature>
            <performance_state>\(value)</performance_state>
            """)
        #expect(gpu.gpuUtilizationPercent == nil)
        #expect(gpu.memoryUsedBytes == nil)
        #expect(gpu.powerUsageWatts == nil)
        #expect(gpu.gpuTemperatureCelsius == nil)
        #expect(gpu.performanceState == nil)
    }

    @Test func unitsAreConverted() throws {
        let gpu = try Self.single(
            """
            <fb_memory_usage><total>1.5 GiB</total><used>40960 MiB</used><free>512 KiB</free>
            <reserved>100 MB</reserved></fb_memory_usage>
            <gpu_power_readings><power_draw>1500 mW</power_draw></gpu_power_readings>
            <clocks><sm_clock>1.98 GHz</sm_clock><mem_clock>  2619 MHz  </mem_clock></clocks>
            <pci><tx_util>2 MB/s</tx_util><rx_util>7 KB/s</rx_util>
            <pci_gpu_link_info><link_widths><current_link_width>4x</current_link_width></link_widths></pci_gpu_link_info>
            </pci>
            <fan_speed>55 %</fan_speed><performance_state>P12</performance_state>
            """)
        #expect(gpu.memoryTotalBytes == 1.5 * 1024 * Self.mebibyte)
        #expect(gpu.memoryUsedBytes == 40960 * Self.mebibyte)
        #expect(gpu.memoryFreeBytes == 512 * 1024.0)
        #expect(gpu.memoryReservedBytes == 100 * Self.mebibyte, "old drivers wrote MB for MiB")
        #expect(gpu.powerUsageWatts == 1.5)
        #expect(gpu.smClockMHz == 1980)
        #expect(gpu.memoryClockMHz == 2619)
        #expect(gpu.pcie?.txBytesPerSecond == 2 * 1024 * 1024.0)
        #expect(gpu.pcie?.rxBytesPerSecond == 7 * 1024.0)
        #expect(gpu.pcie?.width == 4)
        #expect(gpu.fanSpeedPercent == 55)
        #expect(gpu.performanceState == 12)
    }

    @Test func powerFallsBackFromDrawToAverageToInstant() throws {
        let average = try Self.single(
            "<gpu_power_readings><average_power_draw>80.5 W</average_power_draw>"
                + "<instant_power_draw>90 W</instant_power_draw></gpu_power_readings>")
        #expect(average.powerUsageWatts == 80.5)
        let instant = try Self.single(
            "<gpu_power_readings><average_power_draw>N/A</average_power_draw>"
                + "<instant_power_draw>90 W</instant_power_draw></gpu_power_readings>")
        #expect(instant.powerUsageWatts == 90)
        let both = try Self.single(
            "<power_readings><power_draw>N/A</power_draw><power_state>P2</power_state></power_readings>"
                + "<gpu_power_readings><power_draw>75 W</power_draw><current_power_limit>300 W</current_power_limit>"
                + "</gpu_power_readings>")
        #expect(both.powerUsageWatts == 75)
        #expect(both.enforcedPowerLimitWatts == 300)
        #expect(both.performanceState == 2)
    }

    /// v11 names the management limit power_limit; v12 calls it requested and the enforced one current.
    @Test func powerLimitsInBothSchemas() throws {
        let v11 = try Self.single(
            "<power_readings><power_limit>300.00 W</power_limit><enforced_power_limit>250.00 W</enforced_power_limit>"
                + "</power_readings>")
        #expect(v11.powerLimitWatts == 300)
        #expect(v11.enforcedPowerLimitWatts == 250)
        let v12 = try Self.single(
            "<gpu_power_readings><current_power_limit>250.00 W</current_power_limit>"
                + "<requested_power_limit>300.00 W</requested_power_limit></gpu_power_readings>")
        #expect(v12.powerLimitWatts == 300)
        #expect(v12.enforcedPowerLimitWatts == 250)
    }

    @Test func pStateFallsBackToPowerState() throws {
        let gpu = try Self.single(
            "<performance_state>Unknown</performance_state><power_readings><power_state>P3</power_state></power_readings>"
        )
        #expect(gpu.performanceState == 3)
    }

    @Test func migMode() throws {
        #expect(try Self.single("<mig_mode><current_mig>Enabled</current_mig></mig_mode>").identity.migEnabled == true)
        #expect(
            try Self.single("<mig_mode><current_mig>Disabled</current_mig></mig_mode>").identity.migEnabled == false)
        #expect(try Self.single("<mig_mode><current_mig>N/A</current_mig></mig_mode>").identity.migEnabled == nil)
    }

    // MARK: Clock event reasons

    @Test func activeReasonsSetTheirNVMLBits() throws {
        let gpu = try Self.single(
            """
            <clocks_event_reasons>
            <clocks_event_reason_gpu_idle>Not Active</clocks_event_reason_gpu_idle>
            <clocks_event_reason_applications_clocks_setting>Active</clocks_event_reason_applications_clocks_setting>
            <clocks_event_reason_sw_power_cap>Active</clocks_event_reason_sw_power_cap>
            <clocks_event_reason_hw_slowdown>Active</clocks_event_reason_hw_slowdown>
            <clocks_event_reason_hw_thermal_slowdown>Active</clocks_event_reason_hw_thermal_slowdown>
            <clocks_event_reason_hw_power_brake_slowdown>Active</clocks_event_reason_hw_power_brake_slowdown>
            <clocks_event_reason_sync_boost>Active</clocks_event_reason_sync_boost>
            <clocks_event_reason_sw_thermal_slowdown>Active</clocks_event_reason_sw_thermal_slowdown>
            <clocks_event_reason_display_clocks_setting>Active</clocks_event_reason_display_clocks_setting>
            </clocks_event_reasons>
            """)
        #expect(gpu.clockEventReasons?.rawValue == 0x1FE)
        #expect(gpu.clockEventReasons?.contains(.gpuIdle) == false)
        #expect(gpu.clockEventReasons?.contains(.displayClockSetting) == true)
    }

    @Test func throttleReasonsOfOlderDrivers() throws {
        let gpu = try Self.single(
            """
            <clocks_throttle_reasons>
            <clocks_throttle_reason_gpu_idle>Not Active</clocks_throttle_reason_gpu_idle>
            <clocks_throttle_reason_sw_power_cap>Active</clocks_throttle_reason_sw_power_cap>
            <clocks_throttle_reason_hw_thermal_slowdown>Active</clocks_throttle_reason_hw_thermal_slowdown>
            </clocks_throttle_reasons>
            """)
        #expect(gpu.clockEventReasons == [.swPowerCap, .hwThermalSlowdown])
        #expect(gpu.clockEventReasons?.names == ["sw_power_cap", "hw_thermal_slowdown"])
    }

    @Test func reasonsThatCantBeReadAreNil() throws {
        let gpu = try Self.single(
            "<clocks_event_reasons><clocks_event_reason_gpu_idle>N/A</clocks_event_reason_gpu_idle>"
                + "<clocks_event_reason_new_reason>Active</clocks_event_reason_new_reason></clocks_event_reasons>")
        #expect(gpu.clockEventReasons == nil)
    }

    // MARK: ECC, retired pages, remapped rows

    @Test func eccOfTheSRAMDRAMSchemaSumsBoth() throws {
        let gpu = try Self.single(
            """
            <ecc_errors>
            <volatile><sram_correctable>3</sram_correctable><sram_uncorrectable>1</sram_uncorrectable>
            <dram_correctable>4</dram_correctable><dram_uncorrectable>2</dram_uncorrectable></volatile>
            <aggregate><sram_correctable>30</sram_correctable><sram_uncorrectable>10</sram_uncorrectable>
            <dram_correctable>N/A</dram_correctable><dram_uncorrectable>20</dram_uncorrectable></aggregate>
            </ecc_errors>
            """)
        #expect(
            gpu.ecc
                == ECCCounters(
                    volatileCorrected: 7, volatileUncorrected: 3, aggregateCorrected: 30, aggregateUncorrected: 30))
    }

    /// v13 splits SRAM uncorrectable into parity and SEC-DED.
    @Test func eccOfV13AddsParityAndSECDED() throws {
        let gpu = try Self.single(
            """
            <ecc_errors><volatile><sram_correctable>0</sram_correctable>
            <sram_uncorrectable_parity>2</sram_uncorrectable_parity><sram_uncorrectable_secded>5</sram_uncorrectable_secded>
            <dram_correctable>0</dram_correctable><dram_uncorrectable>1</dram_uncorrectable></volatile></ecc_errors>
            """)
        #expect(gpu.ecc == ECCCounters(volatileCorrected: 0, volatileUncorrected: 8))
    }

    @Test func eccOfTheOldSchemaUsesTheTotal() throws {
        let gpu = try Self.single(
            """
            <ecc_errors>
            <volatile>
            <single_bit><device_memory>5</device_memory><register_file>1</register_file><total>6</total></single_bit>
            <double_bit><device_memory>0</device_memory><total>0</total></double_bit>
            </volatile>
            <aggregate>
            <single_bit><device_memory>N/A</device_memory><total>N/A</total></single_bit>
            <double_bit><device_memory>N/A</device_memory><total>N/A</total></double_bit>
            </aggregate>
            </ecc_errors>
            """)
        #expect(gpu.ecc == ECCCounters(volatileCorrected: 6, volatileUncorrected: 0))
    }

    @Test func eccOfTheOldSchemaSumsUnitsWithoutATotal() throws {
        let gpu = try Self.single(
            """
            <ecc_errors><aggregate>
            <single_bit><device_memory>5</device_memory><register_file>1</register_file><l1_cache>N/A</l1_cache>
            <l2_cache>2</l2_cache><texture_memory>0</texture_memory><total>N/A</total></single_bit>
            <double_bit><device_memory>1</device_memory><cbu>1</cbu></double_bit>
            </aggregate></ecc_errors>
            """)
        #expect(gpu.ecc == ECCCounters(aggregateCorrected: 8, aggregateUncorrected: 2))
    }

    @Test func retiredPagesPending() throws {
        let gpu = try Self.single(
            """
            <retired_pages>
            <multiple_single_bit_retirement><retired_count>2</retired_count></multiple_single_bit_retirement>
            <double_bit_retirement><retired_count>1</retired_count></double_bit_retirement>
            <pending_blacklist>No</pending_blacklist><pending_retirement>Yes</pending_retirement>
            </retired_pages>
            """)
        #expect(gpu.retiredPages == RetiredPages(singleBitECC: 2, doubleBitECC: 1, pending: true))
    }

    @Test func remappedRowsPendingAndFailed() throws {
        let gpu = try Self.single(
            """
            <remapped_rows><remapped_row_corr>12</remapped_row_corr><remapped_row_unc>3</remapped_row_unc>
            <remapped_row_pending>Yes</remapped_row_pending><remapped_row_failure>Yes</remapped_row_failure>
            </remapped_rows>
            """)
        #expect(gpu.remappedRows == RemappedRows(correctable: 12, uncorrectable: 3, pending: true, failure: true))
    }

    // MARK: Processes and MIG

    @Test func processes() throws {
        let gpu = try Self.single(
            """
            <processes>
            <process_info><gpu_instance_id>1</gpu_instance_id><compute_instance_id>0</compute_instance_id>
            <pid>4242</pid><type>C+G</type><process_name>python3 train.py</process_name><used_memory>100 MiB</used_memory>
            </process_info>
            <process_info><pid>7</pid><type>G</type><process_name>Xorg</process_name><used_memory>N/A</used_memory>
            </process_info>
            <process_info><pid>N/A</pid><type>C</type></process_info>
            </processes>
            """)
        #expect(gpu.processes.map(\.pid) == [4242, 7])
        #expect(gpu.processes.map(\.type) == ["compute", "graphics"])
        #expect(gpu.processes[0].name == "python3 train.py")
        #expect(gpu.processes[0].gpuInstanceID == 1)
        #expect(gpu.processes[0].usedMemoryBytes == 100 * Self.mebibyte)
        #expect(gpu.processes[1].usedMemoryBytes == nil)
        let (_, issues) = try NvidiaSMIXML.parseWithIssues(
            Self.document("<uuid>GPU-a</uuid><processes><process_info><pid>N/A</pid></process_info></processes>"))
        #expect(issues.count == 1)
        #expect(issues.first?.contains("has no pid") == true)
    }

    @Test func migDeviceWithoutAnInstanceIDIsSkipped() throws {
        let (readings, issues) = try NvidiaSMIXML.parseWithIssues(
            Self.document(
                """
                <uuid>GPU-a</uuid><mig_devices>
                <mig_device><gpu_instance_id>7</gpu_instance_id><compute_instance_id>1</compute_instance_id></mig_device>
                <mig_device><gpu_instance_id>N/A</gpu_instance_id></mig_device>
                </mig_devices>
                """))
        #expect(readings.first?.migInstances.map(\.gpuInstanceID) == [7])
        #expect(readings.first?.migInstances.first?.computeInstanceID == 1)
        #expect(issues.count == 1)
    }

    // MARK: GPUs that can't be read

    /// A GPU without a UUID is skipped; the others keep their file positions as indices.
    @Test func gpuWithoutUUIDNextToAGoodOne() throws {
        let bytes = Self.document(
            "<product_name>Broken</product_name><uuid>N/A</uuid>",
            "<product_name>Good</product_name><uuid>GPU-good</uuid><minor_number>1</minor_number>")
        let (readings, issues) = try NvidiaSMIXML.parseWithIssues(bytes)
        #expect(readings.map(\.identity.uuid) == ["GPU-good"])
        #expect(readings.map(\.identity.index) == [1])
        #expect(issues == ["<gpu> 0 at line 6 (id 00000000:00:00.0) has no uuid: skipped"])
        #expect(try NvidiaSMIXML.parse(bytes).map(\.identity.name) == ["Good"])
    }

    @Test func noReadableGPUIsAnError() throws {
        let bytes = Self.document("<product_name>Broken</product_name>", "<uuid></uuid>")
        let (readings, issues) = try NvidiaSMIXML.parseWithIssues(bytes)
        #expect(readings.isEmpty)
        #expect(issues.count == 2)
        let error = #expect(throws: GPUError.self) { try NvidiaSMIXML.parse(bytes) }
        #expect(error?.code == .malformedOutput)
        #expect(error?.message.hasPrefix("nvidia-smi -q -x: no GPU could be read: <gpu> 0 at line 6") == true)
    }

    @Test func repeatedUUIDIsSkipped() throws {
        let (readings, issues) = try NvidiaSMIXML.parseWithIssues(
            Self.document("<uuid>GPU-a</uuid>", "<uuid>GPU-a</uuid>"))
        #expect(readings.count == 1)
        #expect(issues.first?.contains("repeats GPU-a") == true)
    }

    @Test func lostGPUKeepsOnlyItsIdentity() throws {
        let gpu = try Self.single(
            "<fb_memory_usage><total>GPU is lost</total></fb_memory_usage>"
                + "<temperature><gpu_temp>GPU is lost</gpu_temp></temperature><fan_speed>30 %</fan_speed>")
        #expect(gpu.isLost)
        #expect(gpu.fanSpeedPercent == nil)
        #expect(gpu.identity.uuid == "GPU-a")
    }

    // MARK: Documents that aren't nvidia-smi's

    @Test func anotherRootElementIsAnError() {
        let error = #expect(throws: GPUError.self) {
            try NvidiaSMIXML.parse(Array("<?xml version=\"1.0\"?>\n<html><gpu/></html>".utf8))
        }
        #expect(error?.code == .malformedOutput)
        #expect(error?.message == "nvidia-smi -q -x: the document is <html> (line 2, column 1), not <nvidia_smi_log>")
    }

    /// nvidia-smi's own failure text, printed instead of XML when the driver isn't loaded.
    @Test func driverFailureTextIsMalformedOutput() {
        let text = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
        let error = #expect(throws: GPUError.self) { try NvidiaSMIXML.parse(Array(text.utf8)) }
        #expect(error?.code == .malformedOutput)
        #expect(
            error?.message == "malformed XML at line 1, column 1: expected '<' to start the root element, found 'N'")
    }

    @Test func xmlErrorsKeepTheirPosition() {
        let bytes = Array("<nvidia_smi_log>\n  <gpu>\n    <uuid>GPU-a</pci>\n".utf8)
        let error = #expect(throws: GPUError.self) { try NvidiaSMIXML.parse(bytes) }
        #expect(
            error?.message
                == "malformed XML at line 3, column 16: mismatched closing tag </pci>: expected </uuid> to close the "
                + "element opened at line 3, column 5")
    }
}
