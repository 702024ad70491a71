/// The version of this build, reported by `--version`, build-info metrics and the API.
public enum VigilVersion {
    public static let current = "0.1.0"
}
