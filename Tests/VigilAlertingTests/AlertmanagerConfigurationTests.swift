import Foundation
import Testing
import VigilAlerting
import VigilModel

@Suite struct AlertmanagerConfigurationTests {
    @Test func sharedConfigurationParses() throws {
        guard let shared = sharedDirectory() else {
            print("skipped: ../shared is absent")
            return
        }
        let text = try String(
            contentsOf: shared.appendingPathComponent("conformance/alertmanager/alertmanager.yml"), encoding: .utf8)
        let config = try AlertmanagerConfiguration.parse(yaml: text)
        #expect(config.route.receiver == "default")
        #expect(config.route.groupWait == .seconds(2))
        #expect(config.route.routes.count == 2)
        #expect(config.route.routes[0].key == #"{}/{severity="critical"}"#)
        #expect(config.route.routes[0].groupInterval == .seconds(5))
        #expect(config.route.routes[1].groupByAll)
        #expect(config.receiver(named: "team")?.webhookConfigs.first?.maxAlerts == 2)
        #expect(config.receiver(named: "pager")?.webhookConfigs.first?.sendResolved == false)
        #expect(config.inhibitRules.first?.equal == ["instance"])
    }

    @Test func defaultsGlobalsAndTimeIntervals() throws {
        let config = try AlertmanagerConfiguration.parse(
            yaml: """
                global:
                  smtp_from: am@example.org
                  smtp_smarthost: smtp.example.org:587
                  slack_api_url: https://hooks.slack.com/x
                route:
                  receiver: mail
                  routes:
                    - match: {team: infra}
                      match_re: {severity: "warn|crit"}
                      receiver: chat
                      mute_time_intervals: [weekends]
                receivers:
                  - name: mail
                    email_configs: [{to: ops@example.org}]
                  - name: chat
                    slack_configs: [{channel: "#ops"}]
                time_intervals:
                  - name: weekends
                    time_intervals:
                      - weekdays: ['saturday', 'sunday']
                        days_of_month: ['-3:-1']
                        times: [{start_time: "00:00", end_time: "24:00"}]
                """)
        #expect(config.route.groupWait == .seconds(30))
        #expect(config.route.groupInterval == .seconds(300))
        #expect(config.route.repeatInterval == .seconds(14_400))
        let child = config.route.routes[0]
        #expect(child.groupInterval == .seconds(300))
        #expect(child.key == #"{}/{severity=~"warn|crit",team="infra"}"#)
        #expect(config.receiver(named: "mail")?.emailConfigs.first?.smarthost == "smtp.example.org:587")
        #expect(config.receiver(named: "mail")?.emailConfigs.first?.from == "am@example.org")
        #expect(config.receiver(named: "chat")?.slackConfigs.first?.apiURL == "https://hooks.slack.com/x")
        let weekends = try #require(config.timeIntervals["weekends"])
        // Saturday 2024-06-29 (the 29th of a 30-day month is within the last three days).
        #expect(weekends.contains(Date(timeIntervalSince1970: 1_719_662_400)))
        // Saturday 2024-06-22 is not within the last three days.
        #expect(!weekends.contains(Date(timeIntervalSince1970: 1_719_057_600)))
    }

    struct BadCase: CustomStringConvertible, Sendable {
        var yaml: String
        var keyPath: String
        var message: String
        var description: String { message }
    }

    static let receivers = "receivers: [{name: r}]\n"

    @Test(arguments: [
        BadCase(yaml: receivers, keyPath: "route", message: "no routes provided"),
        BadCase(
            yaml: "route: {group_by: [a]}\n" + receivers, keyPath: "route.receiver",
            message: "root route must specify a default receiver"),
        BadCase(
            yaml: "route: {receiver: r, matchers: ['a=b']}\n" + receivers, keyPath: "route.matchers",
            message: "root route must not have any matchers"),
        BadCase(
            yaml: "route: {receiver: x}\n" + receivers, keyPath: "route.receiver",
            message: #"undefined receiver "x" used in route"#),
        BadCase(
            yaml: "route: {receiver: r}\nreceivers: [{name: r}, {name: r}]\n", keyPath: "receivers[1].name",
            message: #"notification config name "r" is not unique"#),
        BadCase(
            yaml: "route: {receiver: r, routes: [{mute_time_intervals: [nope]}]}\n" + receivers,
            keyPath: "route.routes[0].mute_time_intervals", message: #"undefined time interval "nope" used in route"#),
        BadCase(
            yaml: "route: {receiver: r, group_by: ['...', a]}\n" + receivers, keyPath: "route.group_by",
            message: "cannot have wildcard group_by (`...`) and other other labels at the same time"),
        BadCase(
            yaml: "route: {receiver: r, group_interval: 0s}\n" + receivers, keyPath: "route.group_interval",
            message: "group_interval cannot be zero"),
        BadCase(
            yaml: "route: {receiver: r, routes: [{matchers: ['a=\"b']}]}\n" + receivers,
            keyPath: "route.routes[0].matchers[0]",
            message: "matcher value contains unescaped double quote: \"b (matchers[0])"),
        BadCase(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, email_configs: [{to: a@b, from: c@d}]}]\n",
            keyPath: "receivers[0].email_configs[0].smarthost", message: "no global SMTP smarthost set"),
        BadCase(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, email_configs: [{smarthost: 'h:25'}]}]\n",
            keyPath: "receivers[0].email_configs[0].to", message: "missing to address in email config"),
        BadCase(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{channel: x}]}]\n",
            keyPath: "receivers[0].slack_configs[0].api_url", message: "no global Slack API URL set"),
        BadCase(
            yaml: "route: {receiver: r}\nreceivers: [{name: r, webhook_configs: [{url: 'ftp://x'}]}]\n",
            keyPath: "receivers[0].webhook_configs[0].url",
            message: "unsupported scheme or invalid URL \"ftp://x\" (want http:// or https://)"),
        BadCase(
            yaml: "route: {receiver: r, group_wiat: 1s}\n" + receivers, keyPath: "route.group_wiat",
            message: "unknown key \"group_wiat\"; did you mean \"group_wait\"?"),
        BadCase(
            yaml: "route: {receiver: r}\n" + receivers
                + "time_intervals: [{name: t, time_intervals: [{times: [{start_time: '10:00', end_time: '09:00'}]}]}]\n",
            keyPath: "time_intervals[0].time_intervals[0].times[0]",
            message: "start time cannot be equal or greater than end time"),
        BadCase(
            yaml: "route: {receiver: r}\n" + receivers
                + "time_intervals: [{name: t, time_intervals: [{weekdays: [funday]}]}]\n",
            keyPath: "time_intervals[0].time_intervals[0].weekdays[0]",
            message: "funday is not a valid weekday or weekday range"),
    ])
    func badConfigurations(_ bad: BadCase) {
        #expect {
            _ = try AlertmanagerConfiguration.parse(yaml: bad.yaml, file: "am.yml")
        } throws: { error in
            guard let error = error as? AlertingError else { return false }
            #expect(error.code == .config)
            #expect(error.keyPath == bad.keyPath)
            #expect(error.message == bad.message)
            #expect(error.line != nil)
            return true
        }
    }
}
