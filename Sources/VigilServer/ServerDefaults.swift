/// What `vigil server` uses when neither a flag nor the config file says otherwise (DESIGN.md).
public enum ServerDefaults {
    /// API, UI and the server's own `/metrics`.
    public static let listenAddress = "127.0.0.1:9470"
    /// TSDB (and later SQLite files), relative to the working directory.
    public static let dataDirectory = "./vigil-data"
    /// Simulated nodes with `--demo` (8 GPUs each).
    public static let demoNodes = 8
}
