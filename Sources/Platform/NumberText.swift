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

    /// For tick and colour-bar labels: integers below 10⁶ whole, otherwise 3 significant digits
    /// from 1 up (none after the point from 100), 2 below 1.
    public static func label(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
        return String(format: abs(x) >= 100 ? "%.0f" : abs(x) >= 1 ? "%.3g" : "%.2g", x)
    }
}
