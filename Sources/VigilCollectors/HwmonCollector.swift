import VigilModel

/// Hardware-monitoring temperatures and fans from `/sys/class/hwmon/hwmonN/`, named as node_exporter
/// names them: `node_hwmon_temp_celsius{chip,sensor}` (and `_max_`, `_crit_`, … per property),
/// `node_hwmon_fan_rpm`, `node_hwmon_chip_names{chip,chip_name}`, `node_hwmon_sensor_label`.
public struct HwmonCollector: Collector {
    public let name = "hwmon"

    public init() {}

    public func collect(into output: inout CollectorOutput) {
        let classPath = output.paths.sys("class/hwmon")
        for entry in output.listOptionalDirectory(classPath) {
            let directory = classPath + "/" + entry
            let chip = Self.chipName(directory: directory, entry: entry)
            if let name = try? HostFile.readValue(directory + "/name") {
                output.metrics.gauge(
                    "node_hwmon_chip_names", help: "Annotation metric for human-readable chip names",
                    labels: ["chip": chip, "chip_name": Self.sanitize(name)], value: 1)
            }
            var files = (try? HostFile.listDirectory(directory)).map { $0.map { (directory, $0) } } ?? []
            files += ((try? HostFile.listDirectory(directory + "/device")) ?? []).map { (directory + "/device", $0) }
            for (folder, file) in files {
                guard let sensor = Self.parseSensorFile(file) else { continue }
                let path = folder + "/" + file
                let labels: Labels = ["chip": chip, "sensor": sensor.type + sensor.number]
                if sensor.property == "label" {
                    if let label = try? HostFile.readValue(path) {
                        output.metrics.gauge(
                            "node_hwmon_sensor_label", help: "Label for given chip and sensor",
                            labels: ["chip": chip, "sensor": sensor.type + sensor.number, "label": label], value: 1)
                    }
                    continue
                }
                guard let metric = Self.metric(type: sensor.type, property: sensor.property) else { continue }
                // A sensor can vanish or answer EIO (a sleeping device): skip it like node_exporter does.
                guard let text = try? HostFile.readValue(path) else { continue }
                guard let raw = Double(text) else {
                    output.report(path, "not a number: \"\(text.prefix(40))\"")
                    continue
                }
                output.metrics.gauge(
                    metric.name, help: "Hardware monitor for \(sensor.type) (\(sensor.property))", labels: labels,
                    value: raw * metric.scale)
            }
        }
    }

    /// `temp1_input` → (temp, 1, input); `temp2_crit` → (temp, 2, crit); `fan1` → (fan, 1, input).
    static func parseSensorFile(_ file: String) -> (type: String, number: String, property: String)? {
        for type in ["temp", "fan"] where file.hasPrefix(type) {
            let rest = file.dropFirst(type.count)
            let number = rest.prefix { $0.isASCIIDigit }
            let tail = rest.dropFirst(number.count)
            if tail.isEmpty { return (type, number.isEmpty ? "0" : String(number), "input") }
            guard tail.first == "_" else { return nil }
            return (type, number.isEmpty ? "0" : String(number), String(tail.dropFirst()))
        }
        return nil
    }

    /// The metric name and scale for a sensor property, or nil for properties not exported.
    static func metric(type: String, property: String) -> (name: String, scale: Double)? {
        let suffix = property == "input" ? "" : "_" + property
        switch type {
        case "temp":
            if ["alarm", "fault", "type", "enable"].contains(property) { return ("node_hwmon_temp" + suffix, 1) }
            return ("node_hwmon_temp\(suffix)_celsius", 0.001)
        case "fan":
            if ["alarm", "fault", "enable", "beep", "div", "pulses"].contains(property) {
                return ("node_hwmon_fan" + suffix, 1)
            }
            return ("node_hwmon_fan\(suffix)_rpm", 1)
        default:
            return nil
        }
    }

    /// node_exporter's chip label: `<bus>_<device>` from the device link (`platform_coretemp_0`),
    /// else the `name` file, else the hwmon directory name; lowercased, `[^a-z0-9:_]` → `_`.
    static func chipName(directory: String, entry: String) -> String {
        if let link = HostFile.readLink(directory + "/device") {
            let parts = link.split(separator: "/")
            if parts.count >= 2 {
                let device = sanitize(String(parts[parts.count - 1]))
                let bus = sanitize(String(parts[parts.count - 2]))
                if !device.isEmpty && !bus.isEmpty { return bus + "_" + device }
                if !device.isEmpty { return device }
            }
        }
        if let name = try? HostFile.readValue(directory + "/name"), !sanitize(name).isEmpty {
            return sanitize(name)
        }
        return sanitize(entry)
    }

    static func sanitize(_ text: String) -> String {
        let mapped = text.lowercased().unicodeScalars.map { scalar -> Character in
            let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == ":" || scalar == "_"
            return allowed ? Character(scalar) : "_"
        }
        var result = String(mapped)
        while result.hasPrefix("_") { result.removeFirst() }
        while result.hasSuffix("_") { result.removeLast() }
        return result
    }
}
