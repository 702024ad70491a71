import Testing
import VigilModel
import VigilUI

@Suite struct SeriesStyleTests {
    @Test func aSeriesKeepsItsColourWhenOthersComeAndGo() throws {
        let candidates = (0..<20).map { Labels([Label("gpu", String($0))]) }
        let a = candidates[0]
        let alone = SeriesStyle.assign(to: [a])[0]
        // Any series whose preferred colour differs from a's: a keeps its colour before or after it.
        let b = try #require(candidates.dropFirst().first { SeriesStyle.assign(to: [$0])[0] != alone })
        #expect(SeriesStyle.assign(to: [a, b]) == SeriesStyle.assign(to: [b, a]).reversed())
        #expect(SeriesStyle.assign(to: [b, a])[1] == alone)
    }

    @Test func stylesStayDistinctBeyondThePalette() {
        let labels = (0..<20).map { Labels([Label("gpu", String($0))]) }
        let styles = SeriesStyle.assign(to: labels)
        #expect(Set(styles).count == 20)
        // The first seven use every colour once, solid; later ones are dashed.
        #expect(Set(styles.prefix(7).map(\.color)).count == 7)
        #expect(styles.prefix(7).allSatisfy { $0.dashArray == nil })
        #expect(styles.dropFirst(7).allSatisfy { $0.dashArray != nil })
    }
}
