import Foundation
import Logging
import VigilConfig
import VigilModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `file_sd_configs` entry at work: its files (globs expanded) are read when they change and at
/// least every `refresh_interval`; a file that fails to parse keeps the groups it had and says why in
/// the log.
///
/// Changes are found by polling the files' contents every ``pollInterval`` (at most the refresh
/// interval), on the injected clock, so tests drive it like the scrape loops.
struct FileDiscovery: Sendable {
    static let pollInterval: Int64 = 5_000_000_000

    let job: String
    /// The index of this entry in the job's `file_sd_configs`.
    let index: Int
    let config: FileSDConfig
    let clock: any ScrapeClock
    let logger: Logger
    /// Hands the current groups (of every file, in path order) to the manager.
    let publish: @Sendable ([TargetGroup]) async -> Void
    let stopSignal: StopSignal<Void>

    /// The files, their last contents and the groups last parsed from them.
    struct State {
        var contents: [String: [UInt8]] = [:]
        var groups: [String: [TargetGroup]] = [:]
    }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await poll() }
            await stopSignal.wait()
            group.cancelAll()
        }
    }

    private func poll() async {
        var state = State()
        let refresh = max(PrometheusDuration.milliseconds(of: config.refreshInterval) * 1_000_000, 1_000_000)
        let period = min(refresh, Self.pollInterval)
        var nextRefresh = clock.now() + refresh
        var first = true
        while !Task.isCancelled {
            let now = clock.now()
            let forced = now >= nextRefresh
            if forced { nextRefresh = now + refresh }
            if refreshGroups(&state, force: forced) || first {
                await publish(state.groups.keys.sorted().flatMap { state.groups[$0] ?? [] })
            }
            first = false
            do { try await clock.sleep(until: now + period) } catch { return }
        }
    }

    /// Re-reads the files; true when the groups changed.
    func refreshGroups(_ state: inout State, force: Bool) -> Bool {
        var changed = false
        let paths = Set(config.files.flatMap(Self.expand))
        for path in state.groups.keys where !paths.contains(path) {
            state.groups[path] = nil
            state.contents[path] = nil
            changed = true
        }
        for path in paths.sorted() {
            guard let data = FileManager.default.contents(atPath: path) else {
                if force || state.contents[path] != [] {
                    logger.warning(
                        "file_sd: cannot read the file; keeping its previous targets",
                        metadata: ["job": "\(job)", "file": "\(path)"])
                }
                // Remembered as empty, so that the next poll does not log it again.
                state.contents[path] = []
                continue
            }
            let bytes = [UInt8](data)
            if !force && state.contents[path] == bytes { continue }
            state.contents[path] = bytes
            do {
                let groups = try FileSD.parse(bytes, path: path)
                if state.groups[path] != groups {
                    state.groups[path] = groups
                    changed = true
                }
            } catch {
                logger.error(
                    "file_sd: invalid file; keeping its previous targets",
                    metadata: ["job": "\(job)", "file": "\(path)", "error": "\(error)"])
            }
        }
        return changed
    }

    /// The files a pattern names: itself when it exists, or the matches of a glob in its last element.
    static func expand(_ pattern: String) -> [String] {
        let url = URL(fileURLWithPath: pattern)
        let name = url.lastPathComponent
        // As Go's filepath.Glob: a literal path that does not exist names no file (its targets go).
        guard name.contains(where: { "*?[".contains($0) }) else {
            return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
        }
        let directory = url.deletingLastPathComponent().path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { fnmatch(name, $0, 0) == 0 }.sorted().map { directory + "/" + $0 }
    }
}
