import Foundation

/// One browser tab attached through ``DevToolsBrowser``: navigation, script evaluation, console messages,
/// mouse and keyboard input, screenshots.
public final class DevToolsPage: @unchecked Sendable {
    public let browser: DevToolsBrowser
    public let targetID: String
    public let sessionID: String
    /// Console messages and exceptions are counted from here on (see ``clearConsole()``).
    private var consoleMark = 0

    init(browser: DevToolsBrowser, targetID: String, sessionID: String) {
        self.browser = browser
        self.targetID = targetID
        self.sessionID = sessionID
    }

    /// Sends a command to this page.
    @discardableResult
    public func send(_ method: String, _ params: [String: any Sendable] = [:]) async throws -> Data {
        try await browser.send(method, params, sessionID: sessionID)
    }

    /// Loads `url` and waits for its load event; a network error (`errorText`) throws.
    public func navigate(to url: String, timeout: Duration? = nil) async throws {
        let mark = browser.eventCount
        let result = try DevToolsBrowser.object(try await send("Page.navigate", ["url": url]))
        if let error = result["errorText"] as? String, !error.isEmpty {
            throw TestFailure("navigating to \(url): \(error)")
        }
        try await waitForLoad(after: mark, timeout: timeout)
    }

    /// Waits for a load event after the `after`-th browser event (take ``DevToolsBrowser/eventCount`` before
    /// the action that navigates, e.g. a click on a link or a form's submit button).
    public func waitForLoad(after mark: Int, timeout: Duration? = nil) async throws {
        try await browser.waitForEvent("Page.loadEventFired", sessionID: sessionID, after: mark, timeout: timeout)
    }

    /// Evaluates `expression` (promises are awaited) and decodes its JSON value as `T`; a thrown exception or
    /// a value that does not decode throws.
    public func evaluate<T: Decodable>(_ expression: String, as type: T.Type = T.self) async throws -> T {
        let result = try DevToolsBrowser.object(
            try await send(
                "Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true]))
        if let details = result["exceptionDetails"] as? [String: Any] {
            let exception = (details["exception"] as? [String: Any])?["description"] ?? details["text"] ?? "?"
            throw TestFailure("\(expression) threw: \(exception)")
        }
        let remote = result["result"] as? [String: Any] ?? [:]
        let value = remote["value"] ?? NSNull()
        let json = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
        do {
            return try JSONDecoder().decode(T.self, from: json)
        } catch {
            throw TestFailure(
                "\(expression) returned \(String(decoding: json.prefix(500), as: UTF8.self)), not a \(T.self)")
        }
    }

    /// Runs `expression` for its effect.
    public func run(_ expression: String) async throws {
        _ = try await evaluate("(function () { \(expression); return null; })()", as: Optional<Int>.self)
    }

    /// Waits until `expression` is true; throws with `message` after `timeout`.
    public func waitUntil(_ expression: String, timeout: Duration? = nil, _ message: String = "") async throws {
        let deadline = ContinuousClock.now + (timeout ?? browser.timeout)
        while true {
            if (try? await evaluate("Boolean(\(expression))", as: Bool.self)) == true { return }
            if ContinuousClock.now > deadline {
                throw TestFailure("\(expression) was not true within \(timeout ?? browser.timeout). \(message)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A rectangle in CSS pixels of the viewport.
    public struct Box: Decodable, Sendable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public var centre: (x: Double, y: Double) { (x + width / 2, y + height / 2) }
    }

    /// The viewport rectangle of the first element matching `selector` (scrolled into view first).
    public func box(of selector: String) async throws -> Box {
        let quoted = String(decoding: try JSONEncoder().encode(selector), as: UTF8.self)
        let found = try await evaluate(
            """
            (function () {
              var e = document.querySelector(\(quoted));
              if (!e) { return null; }
              e.scrollIntoView({ block: 'center', inline: 'nearest' });
              var r = e.getBoundingClientRect();
              return { x: r.x, y: r.y, width: r.width, height: r.height };
            })()
            """, as: Box?.self)
        guard let found else { throw TestFailure("no element matches \(selector)") }
        return found
    }

    /// Modifier bits of `Input.dispatchMouseEvent` and `Input.dispatchKeyEvent`.
    public struct Modifiers: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let alt = Modifiers(rawValue: 1)
        public static let control = Modifiers(rawValue: 2)
        public static let meta = Modifiers(rawValue: 4)
        public static let shift = Modifiers(rawValue: 8)
    }

    /// One mouse event (`mouseMoved`, `mousePressed`, `mouseReleased`) at viewport coordinates.
    public func mouse(
        _ type: String, x: Double, y: Double, button: String = "none", clickCount: Int = 0,
        modifiers: Modifiers = []
    ) async throws {
        try await send(
            "Input.dispatchMouseEvent",
            [
                "type": type, "x": x, "y": y, "button": button, "clickCount": clickCount,
                "modifiers": modifiers.rawValue, "buttons": button == "left" && type != "mouseReleased" ? 1 : 0,
            ])
    }

    public func moveMouse(x: Double, y: Double) async throws { try await mouse("mouseMoved", x: x, y: y) }

    /// A left click (`clickCount` 2: the second click of a double click, which fires `dblclick`).
    public func click(x: Double, y: Double, modifiers: Modifiers = [], clickCount: Int = 1) async throws {
        try await mouse("mouseMoved", x: x, y: y, modifiers: modifiers)
        try await mouse("mousePressed", x: x, y: y, button: "left", clickCount: clickCount, modifiers: modifiers)
        try await mouse("mouseReleased", x: x, y: y, button: "left", clickCount: clickCount, modifiers: modifiers)
    }

    /// Clicks the centre of the first element matching `selector`.
    public func click(_ selector: String, modifiers: Modifiers = []) async throws {
        let centre = try await box(of: selector).centre
        try await click(x: centre.x, y: centre.y, modifiers: modifiers)
    }

    /// Presses the left button at `from`, moves to `to` in `steps` and releases it there.
    public func drag(from: (x: Double, y: Double), to: (x: Double, y: Double), steps: Int = 8) async throws {
        try await mouse("mouseMoved", x: from.x, y: from.y)
        try await mouse("mousePressed", x: from.x, y: from.y, button: "left", clickCount: 1)
        for step in 1...max(1, steps) {
            let f = Double(step) / Double(max(1, steps))
            try await mouse(
                "mouseMoved", x: from.x + (to.x - from.x) * f, y: from.y + (to.y - from.y) * f, button: "left")
        }
        try await mouse("mouseReleased", x: to.x, y: to.y, button: "left", clickCount: 1)
    }

    /// Presses and releases a key by its DOM name: `ArrowLeft`, `ArrowRight`, `Home`, `End`, `Escape`,
    /// `Enter`, `Tab`, or one printable character.
    public func press(_ key: String, modifiers: Modifiers = []) async throws {
        let codes: [String: Int] = [
            "ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40, "Home": 36, "End": 35,
            "Escape": 27, "Enter": 13, "Tab": 9, "Backspace": 8,
        ]
        var params: [String: any Sendable] = ["key": key, "modifiers": modifiers.rawValue]
        if let code = codes[key] {
            params["code"] = key
            params["windowsVirtualKeyCode"] = code
            if key == "Enter" { params["text"] = "\r" }
        } else {
            params["text"] = key
        }
        params["type"] = "keyDown"
        try await send("Input.dispatchKeyEvent", params)
        params["type"] = "keyUp"
        params["text"] = nil
        try await send("Input.dispatchKeyEvent", params)
    }

    /// Types `text` into the focused element as one input.
    public func insertText(_ text: String) async throws { try await send("Input.insertText", ["text": text]) }

    /// A PNG of the viewport (the whole page when `fullPage`).
    public func screenshot(fullPage: Bool = true) async throws -> Data {
        var params: [String: any Sendable] = ["format": "png"]
        if fullPage {
            let metrics = try DevToolsBrowser.object(try await send("Page.getLayoutMetrics"))
            let size = (metrics["cssContentSize"] ?? metrics["contentSize"]) as? [String: Any] ?? [:]
            if let width = size["width"] as? Double, let height = size["height"] as? Double {
                params["clip"] =
                    ["x": 0, "y": 0, "width": width, "height": min(height, 8000), "scale": 1]
                    as [String: any Sendable]
                params["captureBeyondViewport"] = true
            }
        }
        let result = try DevToolsBrowser.object(try await send("Page.captureScreenshot", params))
        guard let base64 = result["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw TestFailure("Page.captureScreenshot returned no data")
        }
        return png
    }

    /// A console message, an uncaught exception or a browser log entry (e.g. a resource that failed to load).
    public struct ConsoleMessage: Sendable, CustomStringConvertible {
        /// `log`, `info`, `warning`, `error`, … (`exception` for an uncaught exception).
        public var level: String
        public var text: String
        /// `console`, `exception` or `log`.
        public var source: String
        public var description: String { "[\(source) \(level)] \(text)" }
        public var isError: Bool { level == "error" || level == "exception" || level == "assert" }
    }

    /// The console messages, exceptions and log entries of this page since it opened or since ``clearConsole()``.
    public var consoleMessages: [ConsoleMessage] {
        browser.events(sessionID: sessionID, after: consoleMark).compactMap { event -> ConsoleMessage? in
            let params = event.object
            switch event.method {
            case "Runtime.consoleAPICalled":
                let arguments = params["args"] as? [[String: Any]] ?? []
                let text = arguments.map { argument in
                    "\(argument["value"] ?? argument["description"] ?? argument["type"] ?? "")"
                }.joined(separator: " ")
                let level = params["type"] as? String ?? "log"
                return ConsoleMessage(level: level == "warn" ? "warning" : level, text: text, source: "console")
            case "Runtime.exceptionThrown":
                let details = params["exceptionDetails"] as? [String: Any] ?? [:]
                let exception = (details["exception"] as? [String: Any])?["description"] as? String
                return ConsoleMessage(
                    level: "exception", text: exception ?? details["text"] as? String ?? "?", source: "exception")
            case "Log.entryAdded":
                let entry = params["entry"] as? [String: Any] ?? [:]
                let url = (entry["url"] as? String).map { " (\($0))" } ?? ""
                return ConsoleMessage(
                    level: entry["level"] as? String ?? "info", text: (entry["text"] as? String ?? "") + url,
                    source: "log")
            default: return nil
            }
        }
    }

    /// The errors among ``consoleMessages``: what a test means by "no console error".
    public var consoleErrors: [ConsoleMessage] { consoleMessages.filter(\.isError) }

    /// Forgets the console messages so far.
    public func clearConsole() { consoleMark = browser.eventCount }

    /// Closes the tab.
    public func close() async {
        _ = try? await browser.send("Target.closeTarget", ["targetId": targetID])
    }
}
