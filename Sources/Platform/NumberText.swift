import Foundation

/// How the package writes a number for a person, declared once. Two forms:
/// - ``exact(_:)``: the shortest text that reads back as the same `Double` (configs, formulas,
///   error messages quoting a value);
/// - ``display(_:digits:)``: a fixed number of significant digits, with ∞ and NaN spelled out
///   (reports, summaries, figure labels).
public enum NumberText {
    /// Integers without a fraction ("3"), everything else in Swift's shortest round-trip form
    /// ("0.1", "1e-05"); `Double(exact(x)) == x` for every finite x.
    public static func exact(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return x.description
    }

    /// `digits` significant digits (`%g`), "0" for zero, "∞", "−∞" and "NaN" for the rest.
    public static func display(_ x: Double, digits: Int = 4) -> String {
        if !x.isFinite { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
        return x == 0 ? "0" : String(format: "%.\(digits)g", x)
    }

    /// For tick, axis and colour-bar labels: integers below 10⁶ whole; from 10⁶ up a power of ten
    /// as 10ᵏ and anything else as m·10ᵏ (3 digits); otherwise 3 significant digits from 1 up (none
    /// after the point from 100), 2 below 1 (the product sign · as on the charts' log axes).
    public static func label(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
        if x.isFinite && abs(x) >= 1e6 {
            let k = Int(log10(abs(x)).rounded(.down)), mantissa = x / pow(10, Double(k))
            let power = "10" + String(String(k).map { superscripts[$0] ?? $0 })
            let m = String(format: "%.3g", mantissa)
            return m == "1" ? power : m == "-1" ? "−" + power : "\(m)·\(power)"
        }
        return String(format: abs(x) >= 100 ? "%.0f" : abs(x) >= 1 ? "%.3g" : "%.2g", x)
    }

    static let superscripts: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
}
