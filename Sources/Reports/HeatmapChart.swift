import Foundation
import Platform

/// A heatmap over a grid of two axes, as a self-contained SVG document: one cell per (x, y) grid
/// value with its value in the tooltip (and printed when the cell is large enough), a colour bar
/// or a two-class key, lines drawn over the cells (clipped to the plot), a legend and notes.
/// Positions along an axis are linear in log(value) between grid values (the grids of this
/// package are log-spaced).
package struct HeatmapChart: Sendable {
    package var title: String
    package var subtitle: String
    /// Grid values along x (columns) and y (rows), ascending.
    package var xs: [Double]
    package var ys: [Double]
    /// Names used in the tooltips, and the axis titles.
    package var xKey: String
    package var yKey: String
    package var xLabel: String
    package var yLabel: String
    /// values[i][j] at (xs[j], ys[i]); non-finite cells are grey.
    package var values: [[Double]]
    /// Runs behind each cell, shown in the tooltips when given.
    package var counts: [[Int]]?
    package var palette: Palette
    package var colorLabel: String
    package var overlays: [Overlay]
    package var notes: [String]

    package init(title: String, subtitle: String, xs: [Double], ys: [Double], xKey: String, yKey: String, xLabel: String,
                yLabel: String, values: [[Double]], counts: [[Int]]? = nil, palette: Palette, colorLabel: String,
                overlays: [Overlay], notes: [String]) {
        self.title = title; self.subtitle = subtitle; self.xs = xs; self.ys = ys; self.xKey = xKey; self.yKey = yKey
        self.xLabel = xLabel; self.yLabel = yLabel; self.values = values; self.counts = counts; self.palette = palette
        self.colorLabel = colorLabel; self.overlays = overlays; self.notes = notes
    }

    /// How a heatmap colours its cells.
    package enum Palette: Sendable {
        /// Errors in [0, max]: light (low error) to dark (high error).
        case sequential(max: Double)
        /// Symmetric around 0: blue below (transfer better), white at 0, red above (negative transfer).
        case diverging(limit: Double)
        /// Two classes: value ≥ 0.5 is the `on` label, below it the `off` label.
        case binary(on: String, off: String)
        /// Three ordered classes, value −1, 0 or +1 (blue, light grey, red), with their labels;
        /// each cell prints its entry of `cellTexts`.
        case ternary(below: String, between: String, above: String)
    }

    /// Texts printed in the cells of a `ternary` heatmap (cellTexts[i][j] at (xs[j], ys[i])).
    package var cellTexts: [[String]]?

    /// A line drawn over the heatmap.
    package struct Overlay: Sendable {
        package let label: String
        package let points: [(Double, Double)]
        package let stroke: String
        package let dash: String?
        package let markers: Bool

        package init(label: String, points: [(Double, Double)], stroke: String, dash: String?, markers: Bool) {
            self.label = label
            self.points = points
            self.stroke = stroke
            self.dash = dash
            self.markers = markers
        }
    }

    static let width = 860.0, height = 640.0
    static let left = 90.0, top = 70.0, plotWidth = 560.0, plotHeight = 420.0
    /// The longest line of a note under the plot, in characters (12 px text within the figure).
    static let noteLine = 105
    /// An overlay marker's radius (px): a ring that reaches above and below a cell's 11 px number.
    static let ringRadius = 9.0

    /// Fractional cell index of `value` among sorted grid values, linear in log(value) between
    /// neighbours (grids of this project are log-spaced), extrapolated from the end segments.
    static func fractionalIndex(_ value: Double, in grid: [Double]) -> Double {
        guard grid.count > 1, value > 0, grid.allSatisfy({ $0 > 0 }) else {
            guard grid.count > 1 else { return 0 }
            // Non-positive values: linear interpolation in the value itself.
            for k in 0..<(grid.count - 1) where value <= grid[k + 1] || k == grid.count - 2 {
                return Double(k) + (value - grid[k]) / (grid[k + 1] - grid[k])
            }
            return 0
        }
        let lv = log(value), lg = grid.map { log($0) }
        for k in 0..<(grid.count - 1) where lv <= lg[k + 1] || k == grid.count - 2 {
            return Double(k) + (lv - lg[k]) / (lg[k + 1] - lg[k])
        }
        return 0
    }

    func xPosition(_ x: Double) -> Double {
        Self.left + (Self.fractionalIndex(x, in: xs) + 0.5) * Self.plotWidth / Double(xs.count)
    }

    func yPosition(_ y: Double) -> Double {
        Self.top + Self.plotHeight - (Self.fractionalIndex(y, in: ys) + 0.5) * Self.plotHeight / Double(ys.count)
    }

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        func c(_ v: Double) -> String { String(format: "%02x", Int((min(max(v, 0), 1) * 255).rounded())) }
        return "#" + c(r) + c(g) + c(b)
    }

    /// Piecewise-linear interpolation through colour stops (t in [0, 1]).
    static func ramp(_ t: Double, _ stops: [(Double, Double, Double)]) -> String {
        let t = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let k = min(Int(t), stops.count - 2), f = t - Double(k)
        let a = stops[k], b = stops[k + 1]
        return hex(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    /// Perceptually ordered light-to-dark stops (yellow → green → blue → purple).
    static let sequentialStops: [(Double, Double, Double)] = [(0.99, 0.91, 0.15), (0.48, 0.82, 0.32), (0.13, 0.57, 0.55),
                                                               (0.23, 0.32, 0.55), (0.27, 0.00, 0.33)]
    static let divergingStops: [(Double, Double, Double)] = [(0.02, 0.19, 0.38), (0.26, 0.58, 0.76), (0.97, 0.97, 0.97),
                                                              (0.84, 0.38, 0.30), (0.40, 0.00, 0.12)]

    static func color(_ value: Double, _ palette: Palette) -> String {
        guard value.isFinite else { return "#d0d0d0" }
        switch palette {
        case .sequential(let max): return ramp(value / max, sequentialStops)
        case .diverging(let limit): return ramp(0.5 + value / (2 * limit), divergingStops)
        case .binary: return value >= 0.5 ? "#2a9d8f" : "#e76f51"
        case .ternary: return value < -0.5 ? "#3b7dbf" : value > 0.5 ? "#d0483c" : "#ececec"
        }
    }

    package static func format(_ v: Double) -> String { NumberText.label(v) }

    static func escape(_ s: String) -> String { Document.escape(s) }

    /// The SVG document.
    package var svg: String {
        let W = Self.width, H = Self.height, L = Self.left, T = Self.top, PW = Self.plotWidth, PH = Self.plotHeight
        let cw = PW / Double(xs.count), ch = PH / Double(ys.count)
        // The opening tag is written last: the legend and notes decide the height.
        var s = """
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(L)" y="28" font-size="18" font-weight="bold">\(Self.escape(title))</text>
        <text x="\(L)" y="50" font-size="12" fill="#444">\(Self.escape(subtitle))</text>
        <defs><clipPath id="plot"><rect x="\(L)" y="\(T)" width="\(PW)" height="\(PH)"/></clipPath></defs>

        """
        // Cell values are written after the overlays, each on a halo of its cell's colour, so a
        // curve through a cell never hides its number.
        var cellValues = ""
        for (i, row) in values.enumerated() {
            for (j, v) in row.enumerated() {
                let x = L + Double(j) * cw, y = T + PH - Double(i + 1) * ch
                s += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cw + 0.5)\" height=\"\(ch + 0.5)\" fill=\"\(Self.color(v, palette))\"><title>\(xKey)=\(Self.format(xs[j])), \(yKey)=\(Self.format(ys[i])): \(v.isFinite ? String(format: "%.4f", v) : "no run")\(counts.map { " (\($0[i][j]) seeds)" } ?? "")</title></rect>\n"
                if cw >= 44 && ch >= 22 && v.isFinite {
                    let text: String
                    switch palette {
                    case .binary: text = v >= 0.5 ? "✓" : "✗"
                    case .ternary: text = cellTexts?[i][j] ?? ""
                    default: text = String(format: "%.2f", abs(v) < 0.005 ? 0 : v)
                    }
                    let dark: Bool
                    switch palette {
                    case .sequential(let max): dark = v / max > 0.45
                    case .diverging(let limit): dark = abs(v) / limit > 0.55
                    case .binary: dark = true
                    case .ternary: dark = abs(v) > 0.5
                    }
                    cellValues += "<text x=\"\(x + cw / 2)\" y=\"\(y + ch / 2 + 4)\" font-size=\"11\" text-anchor=\"middle\" fill=\"\(dark ? "white" : "#222")\" stroke=\"\(Self.color(v, palette))\" stroke-width=\"3\" paint-order=\"stroke\">\(text)</text>\n"
                }
            }
        }
        s += "<rect x=\"\(L)\" y=\"\(T)\" width=\"\(PW)\" height=\"\(PH)\" fill=\"none\" stroke=\"#333\"/>\n"
        // Axes: one tick per grid value.
        for (j, x) in xs.enumerated() {
            let px = L + (Double(j) + 0.5) * cw
            s += "<line x1=\"\(px)\" y1=\"\(T + PH)\" x2=\"\(px)\" y2=\"\(T + PH + 5)\" stroke=\"#333\"/>"
            s += "<text x=\"\(px)\" y=\"\(T + PH + 19)\" font-size=\"11\" text-anchor=\"middle\">\(Self.format(x))</text>\n"
        }
        for (i, y) in ys.enumerated() {
            let py = T + PH - (Double(i) + 0.5) * ch
            s += "<line x1=\"\(L - 5)\" y1=\"\(py)\" x2=\"\(L)\" y2=\"\(py)\" stroke=\"#333\"/>"
            s += "<text x=\"\(L - 8)\" y=\"\(py + 4)\" font-size=\"11\" text-anchor=\"end\">\(Self.format(y))</text>\n"
        }
        s += "<text x=\"\(L + PW / 2)\" y=\"\(T + PH + 40)\" font-size=\"13\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(\(L - 55),\(T + PH / 2)) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        // Overlays, clipped to the plot: every line's white halo first, then the lines, so that no
        // halo hides a line drawn before it (a theory curve equal to another's shows through the
        // gaps of the other's dashes). Each overlay's marks and its legend entry carry its index, as
        // in ``SVGChart``, so the browser check (scripts/report-check.js) can tell whether a listed
        // line is visible. Markers are rings wider than a cell's number, so a marker on a cell that
        // has one circles it instead of hiding it or being hidden.
        s += "<g clip-path=\"url(#plot)\">\n"
        func path(_ overlay: Overlay) -> String {
            overlay.points.map { String(format: "%.1f,%.1f", xPosition($0.0), yPosition($0.1)) }.joined(separator: " ")
        }
        for overlay in overlays where overlay.points.count > 1 {
            s += "<polyline points=\"\(path(overlay))\" fill=\"none\" stroke=\"white\" stroke-width=\"5\" stroke-opacity=\"0.8\"/>\n"
        }
        for (k, overlay) in overlays.enumerated() where !overlay.points.isEmpty {
            s += "<g data-series=\"\(k)\">"
            defer { s += "</g>\n" }
            if overlay.points.count > 1 {
                s += "<polyline points=\"\(path(overlay))\" fill=\"none\" stroke=\"\(overlay.stroke)\" stroke-width=\"2.2\"\(overlay.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>\n"
            }
            if overlay.markers {
                for (x, y) in overlay.points {
                    s += "<circle cx=\"\(String(format: "%.1f", xPosition(x)))\" cy=\"\(String(format: "%.1f", yPosition(y)))\" r=\"\(Self.ringRadius)\" fill=\"none\" stroke=\"\(overlay.stroke)\" stroke-width=\"2.2\"/>\n"
                }
            }
        }
        s += "</g>\n" + cellValues
        // Colour bar or key.
        let bx = L + PW + 30
        switch palette {
        case .binary(let on, let off):
            s += "<rect x=\"\(bx)\" y=\"\(T)\" width=\"18\" height=\"18\" fill=\"\(Self.color(1, palette))\"/><text x=\"\(bx + 24)\" y=\"\(T + 14)\" font-size=\"12\">\(Self.escape(on))</text>\n"
            s += "<rect x=\"\(bx)\" y=\"\(T + 28)\" width=\"18\" height=\"18\" fill=\"\(Self.color(0, palette))\"/><text x=\"\(bx + 24)\" y=\"\(T + 42)\" font-size=\"12\">\(Self.escape(off))</text>\n"
        case .ternary(let below, let between, let above):
            for (k, (value, label)) in [(-1.0, below), (0, between), (1, above)].enumerated() {
                let y = T + Double(k) * 28
                s += "<rect x=\"\(bx)\" y=\"\(y)\" width=\"18\" height=\"18\" fill=\"\(Self.color(value, palette))\" stroke=\"#999\"/><text x=\"\(bx + 24)\" y=\"\(y + 14)\" font-size=\"12\">\(Self.escape(label))</text>\n"
            }
        case .sequential(let max), .diverging(let max):
            let steps = 60, barHeight = PH
            let lowValue: Double
            if case .diverging = palette { lowValue = -max } else { lowValue = 0 }
            for k in 0..<steps {
                let v = lowValue + (max - lowValue) * (Double(k) + 0.5) / Double(steps)
                let y = T + barHeight - Double(k + 1) * barHeight / Double(steps)
                s += "<rect x=\"\(bx)\" y=\"\(y)\" width=\"18\" height=\"\(barHeight / Double(steps) + 0.5)\" fill=\"\(Self.color(v, palette))\"/>"
            }
            s += "\n<rect x=\"\(bx)\" y=\"\(T)\" width=\"18\" height=\"\(barHeight)\" fill=\"none\" stroke=\"#333\"/>\n"
            for k in 0...4 {
                let v = lowValue + (max - lowValue) * Double(k) / 4
                let y = T + barHeight - Double(k) * barHeight / 4
                var label = String(format: lowValue < 0 ? "%+.2f" : "%.2f", v)
                if abs(v) < 1e-12 { label = "0" }
                s += "<text x=\"\(bx + 24)\" y=\"\(y + 4)\" font-size=\"11\">\(label)</text>\n"
            }
            s += "<text transform=\"translate(\(bx + 75),\(T + barHeight / 2)) rotate(90)\" font-size=\"12\" text-anchor=\"middle\">\(Self.escape(colorLabel))</text>\n"
        }
        // Legend and notes under the plot.
        var ly = T + PH + 62
        for (k, overlay) in overlays.enumerated() {
            let dash = overlay.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            // An overlay outside the axes says so in its entry, and has no marks to look for.
            s += overlay.points.isEmpty ? "<g>" : "<g data-legend=\"\(k)\">"
            defer { s += "</g>" }
            s += "<line x1=\"\(L)\" y1=\"\(ly - 4)\" x2=\"\(L + 34)\" y2=\"\(ly - 4)\" stroke=\"\(overlay.stroke)\" stroke-width=\"2.2\"\(dash)/>"
            if overlay.markers { s += "<circle cx=\"\(L + 17)\" cy=\"\(ly - 4)\" r=\"5\" fill=\"white\" stroke=\"\(overlay.stroke)\" stroke-width=\"2\"/>" }
            s += "<text x=\"\(L + 42)\" y=\"\(ly)\" font-size=\"12\">\(Self.escape(overlay.label))\(overlay.points.isEmpty ? " (outside these axes)" : "")</text>\n"
            ly += 17
        }
        for note in notes {
            // Long notes wrap: at their "; " separators, and between words where a part is longer
            // than a line.
            var lines: [String] = [], current = ""
            for part in note.components(separatedBy: "; ") {
                let candidate = current.isEmpty ? part : current + "; " + part
                if candidate.count <= Self.noteLine || current.isEmpty && part.count <= Self.noteLine {
                    current = candidate
                    continue
                }
                if !current.isEmpty { lines.append(current + ";") }
                current = ""
                for word in part.split(separator: " ") {
                    if !current.isEmpty && current.count + 1 + word.count > Self.noteLine { lines.append(current); current = "" }
                    current += (current.isEmpty ? "" : " ") + word
                }
            }
            if !current.isEmpty { lines.append(current) }
            for line in lines {
                s += "<text x=\"\(L)\" y=\"\(ly)\" font-size=\"12\" fill=\"#222\">\(Self.escape(line))</text>\n"
                ly += 17
            }
        }
        let height = Int(max(H, ly + 6))
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(height)\" viewBox=\"0 0 \(Int(W)) \(height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
            + s + "</svg>\n"
    }
}
