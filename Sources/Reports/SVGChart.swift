import Foundation

/// Minimal, dependency-free SVG charts for the reports: line and scatter plots with linear or
/// logarithmic axes, a legend, and optional reference curves. Output is self-contained SVG.
package struct SVGChart: Sendable {
    package struct Series: Sendable {
        package var name: String
        package var points: [(Double, Double)]
        package var color: String
        package var dashed: Bool
        package var markers: Bool
        package var lines: Bool
        package var shape: MarkerShape
        /// Vertical interval bars (x, low, high), drawn thin in the series' colour.
        package var intervals: [(Double, Double, Double)]

        package init(name: String, points: [(Double, Double)], color: String, dashed: Bool = false,
                    markers: Bool = false, lines: Bool = true, shape: MarkerShape = .circle,
                    intervals: [(Double, Double, Double)] = []) {
            self.name = name
            self.points = points
            self.color = color
            self.dashed = dashed
            self.markers = markers
            self.lines = lines
            self.shape = shape
            self.intervals = intervals
        }
    }

    /// How a series' points are marked.
    package enum MarkerShape: Sendable {
        case circle, cross, triangle

        /// The marker centred at (x, y), about 7 px across.
        func svg(_ x: String, _ y: String, _ xv: Double, _ yv: Double, color: String) -> String {
            switch self {
            case .circle:
                return "<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3.5\" fill=\"\(color)\" fill-opacity=\"0.8\"/>"
            case .cross:
                let p = { (dx: Double, dy: Double) in String(format: "%.1f,%.1f", xv + dx, yv + dy) }
                return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(p(-4, -4)) \(p(4, 4))\"/>"
                    + "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(p(-4, 4)) \(p(4, -4))\"/>"
            case .triangle:
                return String(format: "<polygon fill=\"%@\" fill-opacity=\"0.8\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>",
                              color, xv, yv - 4.5, xv - 4, yv + 3.5, xv + 4, yv + 3.5)
            }
        }
    }

    package var title: String
    package var xLabel: String
    package var yLabel: String
    package var logX = false
    package var logY = false
    package var width = 640.0
    package var height = 360.0
    package var series: [Series] = []
    /// Category labels for the x axis (bar-like charts); when set, x values are indices.
    package var xCategories: [String]? = nil

    package init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Colour-blind-safe palette (Okabe–Ito).
    package static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// `series` with every one whose points coincide with an earlier named series' drawn dashed
    /// (with triangle markers when it has few points, which would otherwise bury the line under
    /// them) and named as coinciding: a series hidden under another would otherwise have a legend
    /// entry and no visible mark. "Coincide" is to the eye: within 0.3 % of the data's range (about
    /// a pixel); exact equality (to 10⁻⁹ of the range) is named as such.
    static func distinguishingCoincident(_ series: [Series]) -> [Series] {
        // Each axis against its own range.
        func range(_ values: [Double]) -> Double {
            let finite = values.filter(\.isFinite)
            return max((finite.max() ?? 0) - (finite.min() ?? 0), .leastNormalMagnitude)
        }
        let xRange = range(series.flatMap { $0.points.map(\.0) }), yRange = range(series.flatMap { $0.points.map(\.1) })
        func within(_ a: Series, _ b: Series, _ fraction: Double) -> Bool {
            a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { abs($0.0 - $1.0) <= fraction * xRange && abs($0.1 - $1.1) <= fraction * yRange }
        }
        var out = series
        for i in out.indices where !out[i].name.isEmpty && !out[i].points.isEmpty {
            guard let earlier = out[..<i].first(where: { !$0.name.isEmpty && within($0, out[i], 3e-3) }) else { continue }
            let exact = within(earlier, out[i], 1e-9)
            out[i].dashed = true
            out[i].markers = out[i].points.count <= 40
            out[i].shape = .triangle
            let name = earlier.name.components(separatedBy: " (").first ?? earlier.name
            out[i].name += exact ? " (same values as \(name))" : " (indistinguishable from \(name) at this scale)"
        }
        return out
    }

    package var svg: String {
        let series = Self.distinguishingCoincident(self.series)
        let left = 72.0, right = xCategories == nil ? 16.0 : 60.0, top = 34.0, bottom = xCategories == nil ? 52.0 : 96.0
        // A series without a name (the second edge of a band, say) has no legend entry.
        let named = series.filter { !$0.name.isEmpty }
        let longest = Double(named.map(\.name.count).max() ?? 10)
        let legendColumns = max(1, min(3, Int((width - left) / (longest * 6.2 + 34))))
        let legendHeight = 18.0 * Double((named.count + legendColumns - 1) / legendColumns)
        let plotW = width - left - right, plotH = height - top - bottom - legendHeight
        let tx: (Double) -> Double = { logX ? log10(max($0, 1e-300)) : $0 }
        let ty: (Double) -> Double = { logY ? log10(max($0, 1e-300)) : $0 }
        let all = (series.flatMap(\.points) + series.flatMap { $0.intervals.flatMap { [($0.0, $0.1), ($0.0, $0.2)] } }).filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) && (!logY || $0.1 > 0) }
        var (x0, x1) = Self.range(all.map { tx($0.0) })
        var (y0, y1) = Self.range(all.map { ty($0.1) })
        if xCategories != nil { x0 = -0.5; x1 = Double(max(1, xCategories!.count)) - 0.5 }
        // Markers and interval bars at the ends of the x range would sit on the frame: pad it.
        else if series.contains(where: { $0.markers || !$0.intervals.isEmpty }) { let pad = (x1 - x0) * 0.04; x0 -= pad; x1 += pad }
        if !logY && y0 > 0 && y0 < 0.5 * y1 { y0 = 0 }
        let pad = (y1 - y0) * 0.06; y0 -= logY ? 0 : pad; y1 += pad
        let px: (Double) -> Double = { left + (tx($0) - x0) / (x1 - x0) * plotW }
        let py: (Double) -> Double = { top + plotH - (ty($0) - y0) / (y1 - y0) * plotH }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        s += "<text x=\"\(left)\" y=\"20\" font-size=\"13\" font-weight=\"600\">\(Self.escape(title))</text>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#99a\"/>\n"
        for (value, label) in Self.ticks(y0, y1, log: logY) {
            let y = top + plotH - (value - y0) / (y1 - y0) * plotH
            s += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#eef\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label)</text>\n"
        }
        if let categories = xCategories {
            for (i, label) in categories.enumerated() {
                let x = left + (Double(i) - x0) / (x1 - x0) * plotW
                s += "<text transform=\"translate(\(f(x)),\(f(top + plotH + 10))) rotate(40)\" text-anchor=\"start\">\(Self.escape(label))</text>\n"
            }
        } else {
            for (value, label) in Self.ticks(x0, x1, log: logX) {
                let x = left + (value - x0) / (x1 - x0) * plotW
                s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(top)\" y2=\"\(top + plotH)\" stroke=\"#eef\"/>"
                s += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(label)</text>\n"
            }
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + bottom - 14))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16,\(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        // Each series' marks and its legend entry carry its index, so a reader (the browser check,
        // scripts/report-check.js) can tell whether a legend entry has a visible mark.
        for (k, item) in series.enumerated() {
            s += "<g data-series=\"\(k)\">"
            defer { s += "</g>\n" }
            let points = item.points.filter { $0.0.isFinite && $0.1.isFinite && (!logX || $0.0 > 0) && (!logY || $0.1 > 0) }
            if item.lines && points.count > 1 {
                let path = points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"1.8\"\(item.dashed ? " stroke-dasharray=\"6,4\"" : "") points=\"\(path)\"/>\n"
            }
            for (x, low, high) in item.intervals where [x, low, high].allSatisfy(\.isFinite) && (!logX || x > 0) && (!logY || low > 0) {
                s += "<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(f(py(low)))\" y2=\"\(f(py(high)))\" stroke=\"\(item.color)\" stroke-width=\"1.2\"/>"
            }
            // A line of one point draws nothing: it gets its marker instead.
            if item.markers || (item.lines && points.count == 1) {
                for p in points { s += item.shape.svg(f(px(p.0)), f(py(p.1)), px(p.0), py(p.1), color: item.color) }
                s += "\n"
            }
        }
        for (i, (k, item)) in series.enumerated().filter({ !$0.element.name.isEmpty }).enumerated() {
            s += "<g data-legend=\"\(k)\">"
            defer { s += "</g>\n" }
            let x = left + Double(i % legendColumns) * ((width - left) / Double(legendColumns))
            let y = height - legendHeight + 18.0 * Double(i / legendColumns) + 4
            if item.lines {
                s += "<line x1=\"\(f(x))\" x2=\"\(f(x + 18))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"\(item.color)\" stroke-width=\"2.5\"\(item.dashed ? " stroke-dasharray=\"5,3\"" : "")/>"
            } else {
                s += item.shape.svg(f(x + 9), f(y), x + 9, y, color: item.color)
            }
            s += "<text x=\"\(f(x + 24))\" y=\"\(f(y + 4))\">\(Self.escape(item.name))</text>\n"
        }
        return s + "</svg>\n"
    }

    private func f(_ x: Double) -> String { String(format: "%.1f", x) }

    static func range(_ values: [Double]) -> (Double, Double) {
        guard let lo = values.min(), let hi = values.max() else { return (0, 1) }
        if hi - lo < 1e-12 * max(1, abs(hi)) { return (lo - 0.5 * max(1, abs(lo)), hi + 0.5 * max(1, abs(hi))) }
        return (lo, hi)
    }

    /// About five round tick positions in [lo, hi] (in transformed units) with labels.
    static func ticks(_ lo: Double, _ hi: Double, log: Bool) -> [(Double, String)] {
        if log {
            // Less than three decades: 1, 2 and 5 times each power of ten; else powers of ten.
            if hi - lo < 2.5 {
                let values = (Int(lo.rounded(.down))...Int(hi.rounded(.up))).flatMap { k in [1.0, 2, 5].map { log10($0) + Double(k) } }
                return values.filter { $0 >= lo - 1e-9 && $0 <= hi + 1e-9 }.map { ($0, Self.power($0)) }
            }
            let a = Int(lo.rounded(.up)), b = Int(hi.rounded(.down))
            let step = max(1, (b - a) / 6 + 1)
            return stride(from: a, through: b, by: step).map { (Double($0), Self.power(Double($0))) }
        }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [(Double, String)] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + 1e-9 * step {
            out.append((v, Self.label(v, step: step)))
            v += step
        }
        return out
    }

    /// The label of 10^v on a logarithmic axis: plain digits from 0.001 to 9 999, else 10ᵏ or m·10ᵏ.
    static func power(_ v: Double) -> String {
        let x = pow(10, v)
        if x >= 1e-3 && x < 1e4 { return String(format: "%g", (x * 1e6).rounded() / 1e6) }
        let k = Int(v.rounded(.down)), mantissa = (x / pow(10, Double(k))).rounded()
        let digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
        let exponent = String(String(k).map { $0 == "-" ? "⁻" : digits[digits.index(digits.startIndex, offsetBy: Int(String($0))!)] })
        return (mantissa == 1 ? "" : "\(Int(mantissa))·") + "10" + exponent
    }

    static func label(_ v: Double, step: Double) -> String {
        if abs(v) < step * 1e-6 { return "0" }
        if abs(v) >= 1e4 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        let decimals = max(0, Int(-floor(log10(step))))
        return String(format: "%.\(decimals)f", v)
    }

    package static func escape(_ text: String) -> String { Document.escape(text) }
}
