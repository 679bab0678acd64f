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
        let boxW = 200.0, boxH = 26.0, colGap = 44.0, rowGap = 12.0
        let rows = columns.values.map(\.count).max() ?? 1
        let width = Double(columns.count) * (boxW + colGap) + 20, height = Double(rows) * (boxH + rowGap) + 40
        var position: [String: (Double, Double)] = [:]
        for (d, ids) in columns {
            for (i, id) in ids.sorted().enumerated() {
                position[id] = (10 + Double(d) * (boxW + colGap), 30 + Double(i) * (boxH + rowGap))
            }
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" style=\"width:100%;max-width:\(Int(width))px\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<text x=\"10\" y=\"16\" fill=\"#4a5563\">statements by dependency depth (left: used by those to the right)</text>\n"
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
