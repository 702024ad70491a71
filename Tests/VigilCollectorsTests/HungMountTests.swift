import Dispatch
import Testing
import VigilCollectors
import VigilModel

/// A mount whose statvfs never returns (a dead NFS server) must not stall collections: it reports a
/// device error, is not asked again while the call hangs, and comes back once the call returns.
@Suite struct HungMountTests {
    /// A stat function that hangs on paths ending in "/datasets" (an NFS mount) until the server "comes back".
    final class HangingStat: Sendable {
        private let serverBack = DispatchSemaphore(value: 0)

        func comeBack() {
            // Once back, every call answers: one signal per waiter, the hung one and those to come.
            for _ in 0..<100 { serverBack.signal() }
        }

        func stat(_ path: String) -> Result<MountStatistics, MountStatter.StatError> {
            if path.hasSuffix("/datasets") { serverBack.wait() }
            return .success(
                MountStatistics(
                    blockSize: 4096, blocks: 100, freeBlocks: 50, availableBlocks: 40, files: 10, freeFiles: 5))
        }
    }

    @Test func hungMountIsSkippedUntilItAnswers() async throws {
        let hanging = HangingStat()
        // The hanging call always exceeds the limit; the limit is generous so that a loaded machine (tests run
        // in parallel) never makes an answering call look hung.
        let statter = MountStatter(timeout: .seconds(2)) { hanging.stat($0) }
        let collector = FilesystemCollector(statter: statter)
        let host = FixtureHost("gpu-node")

        let first = host.run(collector)
        #expect(first.metrics.value("node_filesystem_device_error", ["mountpoint": "/datasets"]) == 1)
        #expect(first.metrics.value("node_filesystem_size_bytes", ["mountpoint": "/"]) == 409_600)
        #expect(first.issues.map(\.message) == ["statvfs did not return in time (hung mount?); skipped until it does"])

        let second = host.run(collector)
        #expect(second.issues.map(\.message) == ["statvfs still has not returned; skipped"])
        #expect(statter.stuckPaths.count == 1)

        hanging.comeBack()
        for _ in 0..<500 where !statter.stuckPaths.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        #expect(statter.stuckPaths.isEmpty)
        let third = host.run(collector)
        #expect(third.issues.isEmpty)
        #expect(third.metrics.value("node_filesystem_avail_bytes", ["mountpoint": "/datasets"]) == 163_840)
        #expect(third.metrics.value("node_filesystem_device_error", ["mountpoint": "/datasets"]) == 0)
    }

    @Test func onlyRemoteFilesystemsTakeTheTimedPath() {
        #expect(MountStatter.canHang(fsType: "nfs4"))
        #expect(MountStatter.canHang(fsType: "lustre"))
        #expect(MountStatter.canHang(fsType: "fuse.sshfs"))
        #expect(!MountStatter.canHang(fsType: "ext4"))
        #expect(!MountStatter.canHang(fsType: "xfs"))
    }

    @Test func failedStatIsADeviceError() {
        let statter = MountStatter { _ in .failure(MountStatter.StatError("statvfs: Permission denied")) }
        let output = FixtureHost("gpu-node").run(FilesystemCollector(statter: statter))
        #expect(output.metrics.samples("node_filesystem_device_error").allSatisfy { $0.value == 1 })
        #expect(output.issues.first?.message == "statvfs: Permission denied")
    }
}
