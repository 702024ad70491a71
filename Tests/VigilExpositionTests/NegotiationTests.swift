import Testing
import VigilExposition

@Suite("Content negotiation")
struct NegotiationTests {
    @Test(arguments: [
        // Prometheus's own scrape Accept header.
        (
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", ExpositionFormat.openMetrics
        ),
        ("text/plain;version=0.0.4;q=0.5,application/openmetrics-text;q=0.1", .text),
        ("application/openmetrics-text; version=0.0.1", .openMetrics),
        ("application/openmetrics-text", .openMetrics),
        ("Application/OpenMetrics-Text; Version=\"1.0.0\"", .openMetrics),
        ("application/openmetrics-text; version=2.0.0", .text),
        ("text/plain", .text),
        ("*/*", .text),
        ("text/*", .text),
        ("application/json", .text),
        ("", .text),
        ("garbage;;;,,q=", .text),
        ("application/openmetrics-text;q=0, */*", .text),
        ("text/plain;q=0, */*", .openMetrics),
        ("text/plain;q=0, application/openmetrics-text;q=0", .text),
        ("text/plain, application/openmetrics-text", .text),
        ("application/openmetrics-text, text/plain", .openMetrics),
        ("*/*;q=0.9, application/openmetrics-text;q=0.9", .openMetrics),
        ("text/plain;q=0.3, application/openmetrics-text;q=0.8", .openMetrics),
        ("text/plain;q=1.5, application/openmetrics-text;q=0.8", .text),
    ])
    func negotiate(_ accept: String, _ expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test func missingAcceptHeaderMeansText() {
        #expect(ExpositionFormat.negotiate(accept: nil) == .text)
    }

    @Test func contentTypes() {
        #expect(ExpositionFormat.text.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }

    @Test(arguments: [
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.openMetrics),
        ("APPLICATION/OPENMETRICS-TEXT", .openMetrics),
        ("text/plain; version=0.0.4; charset=utf-8", .text),
        ("application/json", .text),
    ])
    func formatFromContentType(_ contentType: String, _ expected: ExpositionFormat) {
        #expect(ExpositionFormat(contentType: contentType) == expected)
    }

    @Test func noContentTypeMeansText() {
        #expect(ExpositionFormat(contentType: nil) == .text)
    }

    @Test(arguments: ExpositionFormat.allCases)
    func negotiatingAContentTypeGivesItsFormat(_ format: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: format.contentType) == format)
        #expect(ExpositionFormat(contentType: format.contentType) == format)
    }
}
