import Testing
import VigilModel
import VigilUI

@Suite struct SeriesStyleTests {
    @Test func aSeriesKeepsItsColourWhenOthersComeAndGo() {
        let a: Labels = ["gpu": "0"]
        let b: Labels = ["gpu": "1"]
        let alone = SeriesStyle.assign(to: [b])
        let together = SeriesStyle.assign(to: [b, a])
        #expect(alone[0] == together[0])
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
