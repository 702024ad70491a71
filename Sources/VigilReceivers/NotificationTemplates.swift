import Foundation
import VigilAlerting
import VigilTemplate

/// The templates receiver fields can call with `{{ template "name" . }}`: Alertmanager's default
/// template names (`__subject`, `__alertmanagerURL`, `__text_alert_list`, `slack.default.*`,
/// `email.default.subject`, `email.default.html`) and whatever the configuration's `templates:` files
/// define, which win over the defaults, as they do in Alertmanager.
public struct NotificationTemplates: Sendable {
    let library: Template

    /// Only the default templates.
    public static let defaults: NotificationTemplates = {
        // The built-in text parses (a test checks it).
        try! NotificationTemplates(files: [])
    }()

    /// The defaults plus the `define`s of `files` (paths, already glob-expanded). A file that cannot be
    /// read or parsed is an error naming it, with the line and column.
    public init(files: [String]) throws(NotifyError) {
        var library: Template
        do {
            library = try Template(name: "default.tmpl", text: Self.defaultDefinitions, functions: .alertmanager)
        } catch {
            throw NotifyError(retryable: false, "default templates: \(error)")
        }
        for path in files {
            let contents: String
            do {
                contents = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw NotifyError(retryable: false, "cannot read template file \(path): \(error.localizedDescription)")
            }
            // A file's definitions replace earlier ones of the same name, as in Alertmanager.
            do {
                library = try Template(name: path, text: contents, functions: .alertmanager, library: library)
            } catch {
                throw NotifyError(retryable: false, "template file \(path): \(error)")
            }
        }
        self.library = library
    }

    /// The names the library defines, sorted.
    public var names: [String] { library.definedTemplates }

    /// Written for Vigil to give the same texts as Alertmanager 0.25's default.tmpl (its names, its
    /// output); the HTML e-mail holds the same content as Alertmanager's (heading, link, firing then
    /// resolved alerts with labels, annotations and source) without its kilobytes of inline styles.
    static let defaultDefinitions = #"""
        {{ define "__alertmanager" }}Alertmanager{{ end }}
        {{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}
        {{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}
        {{ define "__description" }}{{ end }}
        {{ define "__text_alert_list" }}{{ range . }}Labels:
        {{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}
        {{ end }}Annotations:
        {{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}
        {{ end }}Source: {{ .GeneratorURL }}
        {{ end }}{{ end }}
        {{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
        {{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
        {{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
        {{ define "slack.default.callbackid" }}{{ end }}
        {{ define "slack.default.pretext" }}{{ end }}
        {{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
        {{ define "slack.default.iconemoji" }}{{ end }}
        {{ define "slack.default.iconurl" }}{{ end }}
        {{ define "slack.default.text" }}{{ end }}
        {{ define "slack.default.footer" }}{{ end }}
        {{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
        {{ define "email.default.html" }}<!DOCTYPE html>
        <html><head><meta charset="UTF-8"><title>{{ template "__subject" . }}</title></head>
        <body style="font-family: Helvetica, Arial, sans-serif; font-size: 14px;">
        <h2 style="background: #E6522C; color: #fff; padding: 12px;">{{ len .Alerts }} {{ if gt (len .Alerts) 1 }}alerts{{ else }}alert{{ end }} for {{ range $i, $p := .GroupLabels.SortedPairs }}{{ if $i }} {{ end }}{{ $p.Name | html }}={{ $p.Value | html }}{{ end }}</h2>
        <p><a href="{{ template "__alertmanagerURL" . }}">View in {{ template "__alertmanager" . }}</a></p>
        {{ if .Alerts.Firing }}<h3>[{{ len .Alerts.Firing }}] Firing</h3>
        <table cellpadding="4" style="border-collapse: collapse;">
        {{ range .Alerts.Firing }}{{ template "__email_html_alert" . }}{{ end }}</table>
        {{ end }}{{ if .Alerts.Resolved }}<h3>[{{ len .Alerts.Resolved }}] Resolved</h3>
        <table cellpadding="4" style="border-collapse: collapse;">
        {{ range .Alerts.Resolved }}{{ template "__email_html_alert" . }}{{ end }}</table>
        {{ end }}<p style="color: #999; font-size: 12px;"><a href="{{ .ExternalURL | html }}">Sent by {{ template "__alertmanager" . }}</a></p>
        </body></html>
        {{ end }}
        {{ define "__email_html_alert" }}<tr><td style="border-top: 1px solid #e9e9e9;"><strong>Labels</strong><br>{{ range $i, $p := .Labels.SortedPairs }}{{ if $i }}<br>{{ end }}{{ $p.Name | html }} = {{ $p.Value | html }}{{ end }}{{ if .Annotations }}<br><strong>Annotations</strong><br>{{ range $i, $p := .Annotations.SortedPairs }}{{ if $i }}<br>{{ end }}{{ $p.Name | html }} = {{ $p.Value | html }}{{ end }}{{ end }}<br><a href="{{ .GeneratorURL | html }}">Source</a></td></tr>
        {{ end }}
        """#
}
