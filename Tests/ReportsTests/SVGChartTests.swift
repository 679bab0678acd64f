import Foundation
@testable import Reports
import Testing

/// Axis ticks a reader can read (ticks are written here from the axis range, not read back from
/// the code): a log axis over less than 2.5 decades gets 1, 2, 5 × 10ᵏ; longer ones powers of
/// ten, written 10ᵏ outside 0.001–9 999.
struct SVGChartTickTests {
    @Test func shortLogAxesGetOneTwoFive() {
        let ticks = SVGChart.ticks(log10(0.9), log10(9), log: true)
        #expect(ticks.map(\.1) == ["1", "2", "5"])
        #expect(zip(ticks.map(\.0), [0, log10(2), log10(5)]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// Every decade up to five decades, every other one from six on.
    @Test func longLogAxesGetPowersOfTenInSuperscript() {
        #expect(SVGChart.ticks(3, 8, log: true).map(\.1) == ["1000", "10⁴", "10⁵", "10⁶", "10⁷", "10⁸"])
        #expect(SVGChart.ticks(3, 9, log: true).map(\.1) == ["1000", "10⁵", "10⁷", "10⁹"])
        #expect(SVGChart.ticks(-8, -3, log: true).map(\.1) == ["10⁻⁸", "10⁻⁷", "10⁻⁶", "10⁻⁵", "10⁻⁴", "0.001"])
        #expect(SVGChart.ticks(6.9, 8.4, log: true).map(\.1) == ["10⁷", "2·10⁷", "5·10⁷", "10⁸", "2·10⁸"])
    }

    @Test func linearTicksAreRoundNumbers() {
        #expect(SVGChart.ticks(0, 1, log: false).map(\.1) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }
}

/// Report pages: every text is escaped, and a table keeps its cells in order.
struct DocumentTests {
    @Test func textIsEscapedInEveryBlock() {
        var doc = Document(title: "a < b & \"c\"")
        doc.add(.paragraph("<script>alert(1)</script>"))
        doc.add(.table(header: ["x<y"], rows: [[Document.Cell("1 & 2", link: "a\"b.html")]]))
        let html = doc.html
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a &lt; b &amp; &quot;c&quot;") && html.contains("x&lt;y") && html.contains("href=\"a&quot;b.html\""))
    }

    @Test func verdictBadgesCarryTheirClass() {
        var doc = Document(title: "t")
        doc.add(.table(header: ["v"], rows: [["holds-from", "violated-persistent", "made-up"].map { Document.Cell($0, verdict: true) }]))
        let html = doc.html
        #expect(html.contains("class=\"badge holds-from\"") && html.contains("class=\"badge violated-persistent\"") && html.contains("class=\"badge other\""))
    }
}

/// A series drawn exactly over an earlier one still shows: dashed, with its own markers, and
/// named as coinciding in the legend; a series that differs is left as it is.
struct CoincidingSeriesTests {
    @Test func coincidingSeriesAreDrawnDistinguishably() {
        let points = [(0.0, 1.0), (1.0, 2.0), (2.0, 4.0)]
        let series = SVGChart.distinguishingCoincident([
            .init(name: "transfer · fresh", points: points, color: "#000"),
            .init(name: "transfer · inherited", points: points, color: "#111"),
            .init(name: "scratch", points: points.map { ($0.0, $0.1 + 0.5) }, color: "#222"),
        ])
        #expect(!series[0].dashed && series[0].name == "transfer · fresh")
        #expect(series[1].dashed && series[1].markers && series[1].name == "transfer · inherited (same values as transfer · fresh)")
        #expect(!series[2].dashed && series[2].name == "scratch")
    }

    /// Coinciding to the eye is enough: 0.1 % of the data's range apart is named as
    /// indistinguishable, 1 % apart is left alone; a long coinciding series is dashed without a
    /// marker at every point (which would bury the line under it); a one-point line gets a marker.
    @Test func nearlyCoincidingAndLongSeries() {
        let long = (0..<100).map { (Double($0), Double($0 * $0)) }   // y range 9 801
        let series = SVGChart.distinguishingCoincident([
            .init(name: "a", points: long, color: "#000"),
            .init(name: "b", points: long.map { ($0.0, $0.1 + 9.8) }, color: "#111"),
            .init(name: "c", points: long.map { ($0.0, $0.1 + 98) }, color: "#222"),
        ])
        #expect(series[1].dashed && !series[1].markers && series[1].name == "b (indistinguishable from a at this scale)")
        #expect(!series[2].dashed && series[2].name == "c")
        // Each axis against its own range: x up to 10⁵ must not let y values far apart coincide.
        let wide = SVGChart.distinguishingCoincident([
            .init(name: "a", points: [(0, 0.0), (1e5, 0.0099)], color: "#000"),
            .init(name: "b", points: [(0, 0.0), (1e5, 0.0093)], color: "#111"),
        ])
        #expect(!wide[1].dashed && wide[1].name == "b")
        var chart = SVGChart(title: "t", xLabel: "x", yLabel: "y")
        chart.series = [.init(name: "one rung", points: [(1, 2)], color: "#123456"), .init(name: "two", points: [(0, 0), (2, 3)], color: "#000")]
        #expect(chart.svg.contains("<circle") && chart.svg.contains("fill=\"#123456\""))
    }
}
