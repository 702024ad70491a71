/// The host collectors Vigil ships, by name, for flags and configuration.
public enum HostCollectors {
    /// Every collector name, in the order collections run.
    public static let allNames = [
        "cpu", "stat", "loadavg", "meminfo", "pressure", "diskstats", "filesystem", "netdev", "netclass",
        "infiniband", "hwmon", "uname", "os", "time", "process",
    ]

    /// The collectors named in `enabled`, in the canonical order, built with default settings.
    public static func make(enabled: Set<String>, procfs: String = "/proc") -> [any Collector] {
        allNames.filter(enabled.contains).compactMap { name -> (any Collector)? in
            switch name {
            case "cpu": CPUCollector()
            case "stat": StatCollector()
            case "loadavg": LoadAverageCollector()
            case "meminfo": MemoryCollector()
            case "pressure": PressureCollector()
            case "diskstats": DiskStatsCollector()
            case "filesystem": FilesystemCollector()
            case "netdev": NetworkDeviceCollector()
            case "netclass": NetworkClassCollector()
            case "infiniband": InfiniBandCollector()
            case "hwmon": HwmonCollector()
            case "uname": UnameCollector()
            case "os": OSReleaseCollector()
            case "time": TimeCollector()
            case "process": ProcessCollector(procfs: procfs)
            default: nil
            }
        }
    }
}
