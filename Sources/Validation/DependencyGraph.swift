import Bounds
import Reports

/// The statements' `uses` graph as inline SVG: one column per dependency depth, one box per
/// statement coloured by its verdict and linked to its page, an edge from each used statement
/// to its user.
enum DependencyGraph {
    static func svg(_ judgements: [StatementJudgement], link: (String) -> String) -> String {
        // Judgements come in the library's dependency order.
        let depth = ProofLibrary.depths(of: judgements.map(\.statement))
        let columns = Dictionary(grouping: judgements.map(\.statement.id)) { depth[$0] ?? 0 }
        // Drawn at its natural size with 12 px text (scaled to the page it shrank to about 9 px);
        // the page scrolls it sideways when it is wider.
        let longest = Double(judgements.map(\.statement.id.count).max() ?? 20)
        let boxW = max(160, longest * 6.6 + 16), boxH = 26.0, colGap = 36.0, rowGap = 12.0, top = 58.0
        let rows = columns.values.map(\.count).max() ?? 1
        let width = Double(columns.count) * (boxW + colGap) + 20, height = Double(rows) * (boxH + rowGap) + top + 10
        var position: [String: (Double, Double)] = [:]
        for (d, ids) in columns {
            for (i, id) in ids.sorted().enumerated() {
                position[id] = (10 + Double(d) * (boxW + colGap), top + Double(i) * (boxH + rowGap))
            }
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<text x=\"10\" y=\"16\" fill=\"#4a5563\">statements by dependency depth (left: used by those to the right); colour: the verdict</text>\n"
        // The colour key: the verdicts that occur.
        var keyX = 10.0
        for verdict in Verdict.allCases where judgements.contains(where: { $0.verdict == verdict }) {
            s += "<rect x=\"\(keyX)\" y=\"26\" width=\"14\" height=\"14\" rx=\"3\" fill=\"\(BadgePalette.color(verdict.rawValue))\"/>"
            s += "<text x=\"\(keyX + 20)\" y=\"37\">\(verdict.rawValue)</text>\n"
            keyX += 20 + Double(verdict.rawValue.count) * 7.2 + 18
        }
        for j in judgements {
            guard let (x2, y2) = position[j.statement.id] else { continue }
            for used in j.statement.uses {
                guard let (x1, y1) = position[used] else { continue }
                let a = (x1 + boxW, y1 + boxH / 2), b = (x2, y2 + boxH / 2)
                s += "<path d=\"M\(a.0),\(a.1) C\(a.0 + colGap / 2),\(a.1) \(b.0 - colGap / 2),\(b.1) \(b.0),\(b.1)\" fill=\"none\" stroke=\"#b0bac6\" stroke-width=\"1\"/>\n"
            }
        }
        for j in judgements {
            guard let (x, y) = position[j.statement.id] else { continue }
            let color = BadgePalette.color(j.verdict.rawValue)
            s += "<a href=\"\(link(j.statement.id))\"><rect x=\"\(x)\" y=\"\(y)\" width=\"\(boxW)\" height=\"\(boxH)\" rx=\"5\" fill=\"\(color)\"/>"
            s += "<text x=\"\(x + 8)\" y=\"\(y + 17)\" fill=\"\(j.verdict == .indeterminate ? "#222" : "#fff")\">\(SVGChart.escape(j.statement.id))</text></a>\n"
        }
        return s + "</svg>\n"
    }
}
