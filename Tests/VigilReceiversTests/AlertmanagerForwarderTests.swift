import Foundation
import Logging
import Testing
import VigilConfig
import VigilModel
import VigilTestSupport

@testable import VigilReceivers

private func alert(_ name: String, _ index: Int = 0) -> ForwardedAlert {
    ForwardedAlert(
        labels: ["alertname": name, "instance": "gpu-\(index)"], annotations: ["summary": "hot"],
        startsAt: Date(timeIntervalSince1970: 1_700_000_000.25), generatorURL: "http://vigil:9470/graph")
}

@Suite struct AlertQueueTests {
    @Test func fullQueueDropsTheOldest() {
        var queue = AlertQueue(capacity: 3)
        #expect(queue.enqueue([alert("a"), alert("b")]) == 0)
        #expect(queue.enqueue([alert("c"), alert("d")]) == 1)
        #expect(queue.dequeue(maximum: 10).map { $0.labels["alertname"] } == ["b", "c", "d"])
        #expect(queue.count == 0)
    }

    @Test func moreThanCapacityAtOnceKeepsTheNewest() {
        var queue = AlertQueue(capacity: 2)
        #expect(queue.enqueue([alert("a"), alert("b"), alert("c")]) == 1)
        #expect(queue.dequeue(maximum: 1).map { $0.labels["alertname"] } == ["b"])
        #expect(queue.dequeue(maximum: 1).map { $0.labels["alertname"] } == ["c"])
        #expect(queue.dequeue(maximum: 1).isEmpty)
    }

    @Test func batchesLeaveInOrder() {
        var queue = AlertQueue(capacity: 1000)
        _ = queue.enqueue((0..<600).map { alert("a", $0) })
        #expect(queue.dequeue(maximum: 256).count == 256)
        #expect(queue.dequeue(maximum: 256).first?.labels["instance"] == "gpu-256")
        #expect(queue.count == 88)
    }
}

@Suite struct AlertmanagerForwarderUnitTests {
    @Test func urlsFromStaticConfigsPathPrefixAndRelabelling() throws {
        let config = AlertmanagerConfig(
            staticConfigs: [TargetGroup(targets: ["am1:9093", "am2:9093"])],
            relabelConfigs: [
                RelabelConfig(sourceLabels: ["__address__"], regex: try RelabelRegex("am2:.*"), action: .drop)
            ],
            scheme: .https, pathPrefix: "/alertmanager/")
        #expect(
            AlertmanagerForwarder.discover(config, logger: Logger(label: "test"))
                == ["https://am1:9093/alertmanager/api/v2/alerts"])
        #expect(AlertmanagerForwarder.alertsPath(prefix: "") == "/api/v2/alerts")
        #expect(AlertmanagerForwarder.alertsPath(prefix: "am") == "/am/api/v2/alerts")
    }

    @Test func alertRelabellingDropsAndRewritesBeforeQueueing() throws {
        let forwarder = AlertmanagerForwarder(
            config: AlertingConfig(alertRelabelConfigs: [
                RelabelConfig(sourceLabels: ["alertname"], regex: try RelabelRegex("Noise"), action: .drop),
                RelabelConfig(
                    sourceLabels: ["instance"], regex: try RelabelRegex("gpu-(.*)"), targetLabel: "node",
                    replacement: "n$1"),
            ]),
            logger: Logger(label: "test"))
        forwarder.send([alert("Noise"), alert("GPUHot", 7)])
        #expect(forwarder.statistics.queueLength == 1)
        #expect(forwarder.statistics.alertmanagers == 0)
    }

    @Test func queueOverflowIsCounted() {
        let forwarder = AlertmanagerForwarder(config: AlertingConfig(), logger: Logger(label: "test"), queueCapacity: 2)
        forwarder.send([alert("a"), alert("b"), alert("c")])
        #expect(forwarder.statistics.dropped == 1)
        #expect(forwarder.statistics.queueLength == 2)
        #expect(forwarder.statistics.queueCapacity == 2)
    }

    @Test func failedPushIsRetriedThenCountedAsErrorAndDrop() async {
        let port = ExternalTools.freePort()
        let forwarder = AlertmanagerForwarder(
            config: AlertingConfig(alertmanagers: [
                AlertmanagerConfig(staticConfigs: [TargetGroup(targets: ["127.0.0.1:\(port)"])], timeout: .seconds(5))
            ]),
            logger: Logger(label: "test"), sleep: { _ in })
        forwarder.send([alert("a"), alert("b")])
        await forwarder.drain()
        let url = "http://127.0.0.1:\(port)/api/v2/alerts"
        #expect(forwarder.statistics.errors[url] == 2)
        #expect(forwarder.statistics.sent[url] == 0)
        #expect(forwarder.statistics.dropped == 2)
        #expect(forwarder.statistics.queueLength == 0)
    }
}

/// Against the real Alertmanager (Debian's prometheus-alertmanager 0.25).
@Suite(.serialized) struct AlertmanagerForwarderConformanceTests {
    @Test func alertsArriveInTheRealAlertmanager() async throws {
        guard requireTool("prometheus-alertmanager"),
            let binary = ExternalTools.path(of: "prometheus-alertmanager")
        else { return }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try """
        route:
          receiver: blackhole
        receivers:
          - name: blackhole
        """.write(toFile: scratch.path + "/am.yml", atomically: true, encoding: .utf8)
        let port = ExternalTools.freePort()
        let alertmanager = try ChildProcess(
            binary,
            [
                "--config.file=\(scratch.path)/am.yml", "--storage.path=\(scratch.path)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
            ])
        defer { kill(alertmanager) }
        try await alertmanager.waitForHTTP("http://127.0.0.1:\(port)/-/ready")

        let forwarder = AlertmanagerForwarder(
            config: AlertingConfig(
                alertRelabelConfigs: [RelabelConfig(targetLabel: "forwarded_by", replacement: "vigil")],
                alertmanagers: [AlertmanagerConfig(staticConfigs: [TargetGroup(targets: ["127.0.0.1:\(port)"])])]),
            logger: Logger(label: "test"))
        let startsAt = Date().addingTimeInterval(-60).timeIntervalSince1970.rounded()
        let alerts = (0..<300).map { index in
            ForwardedAlert(
                labels: ["alertname": "GPUHot", "gpu": "\(index)", "severity": "warning"],
                annotations: ["summary": "GPU \(index) is at 91 °C <hot> & \"loud\""],
                startsAt: Date(timeIntervalSince1970: startsAt + 0.5),
                endsAt: Date(timeIntervalSince1970: startsAt + 3600), generatorURL: "http://vigil:9470/graph?g0.expr=x")
        }
        forwarder.send(alerts)
        await forwarder.drain()
        let url = "http://127.0.0.1:\(port)/api/v2/alerts"
        #expect(forwarder.statistics.sent[url] == 300)
        #expect(forwarder.statistics.errors[url] == 0)

        let body = try await ExternalTools.get(url)
        let received = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(received.count == 300)
        let byGPU = Dictionary(
            uniqueKeysWithValues: received.compactMap { entry -> (String, [String: Any])? in
                guard let labels = entry["labels"] as? [String: String], let gpu = labels["gpu"] else { return nil }
                return (gpu, entry)
            })
        let seven = try #require(byGPU["7"])
        #expect(
            seven["labels"] as? [String: String]
                == ["alertname": "GPUHot", "gpu": "7", "severity": "warning", "forwarded_by": "vigil"])
        #expect(seven["annotations"] as? [String: String] == ["summary": "GPU 7 is at 91 °C <hot> & \"loud\""])
        #expect(seven["generatorURL"] as? String == "http://vigil:9470/graph?g0.expr=x")
        #expect((seven["startsAt"] as? String)?.hasSuffix(".500Z") == true)
        #expect((seven["status"] as? [String: Any])?["state"] as? String == "active")
    }
}
