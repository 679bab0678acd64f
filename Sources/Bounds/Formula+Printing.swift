import Platform
//===--- Formula+Printing.swift ----------------------------------------===//

/// The three ways an expression can be printed.
package enum PrintStyle: String, Sendable, CaseIterable {
    /// The bounds language itself: `N1*u_norm^2/(sigma_p1^2*d)`. Parsing the plain text
    /// gives back the same expression (for expressions whose literals are non-negative).
    case plain
    /// Unicode mathematics: `N₁·‖u‖²/(σₚ₁²·d)`. For reading only.
    case unicode
    /// LaTeX: `\frac{N_1 \cdot \|u\|^{2}}{\sigma_{p,1}^{2} \cdot d}`.
    case latex
}

extension Formula {
    /// Binding strength: 1 sums, 2 products, 3 unary minus, 4 powers, 5 atoms.
    fileprivate var level: Int {
        switch self {
        case .number(let x): x < 0 || x.sign == .minus ? 3 : 5
        case .variable, .call: 5
        case .negate: 3
        case .binary(let op, _, _):
            switch op {
            case .add, .subtract: 1
            case .multiply, .divide: 2
            case .power: 4
            }
        }
    }

    /// Text of the expression in the given style.
    package func printed(_ style: PrintStyle = .plain) -> String {
        switch style {
        case .plain: plainText
        case .unicode: unicodeText
        case .latex: latexText
        }
    }

    // MARK: Plain

    /// The expression in the bounds language; `Formula(parsing:)` reads it back.
    var plainText: String {
        func wrap(_ e: Formula, _ minLevel: Int) -> String {
            e.level >= minLevel ? e.plainText : "(\(e.plainText))"
        }
        switch self {
        case .number(let x): return Formula.formatNumber(x)
        case .variable(let name): return name
        case .negate(let e): return "-" + wrap(e, 3)
        case .binary(let op, let a, let b):
            switch op {
            case .add, .subtract: return "\(wrap(a, 1)) \(op.rawValue) \(wrap(b, 2))"
            case .multiply, .divide: return "\(wrap(a, 2))\(op.rawValue)\(wrap(b, 3))"
            case .power: return "\(wrap(a, 5))^\(wrap(b, 3))"
            }
        case .call(let f, let args):
            return "\(f.rawValue)(\(args.map(\.plainText).joined(separator: ", ")))"
        }
    }

    /// Shortest text that reads back as the same `Double`: integers without a fraction,
    /// everything else in Swift's shortest round-trip form (`0.1`, `1e-05`).
    static func formatNumber(_ x: Double) -> String { NumberText.exact(x) }

    // MARK: Unicode

    private static let superscripts: [Character: Character] = [
        "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
    ]

    /// Unicode mathematics, for reports.
    var unicodeText: String {
        func wrap(_ e: Formula, _ minLevel: Int) -> String {
            e.level >= minLevel ? e.unicodeText : "(\(e.unicodeText))"
        }
        switch self {
        case .number(let x): return Formula.formatNumber(x).replacingOccurrences(of: "-", with: "−")
        case .variable(let name): return Notation.unicode(name)
        case .negate(let e): return "−" + wrap(e, 3)
        case .binary(let op, let a, let b):
            switch op {
            case .add: return "\(wrap(a, 1)) + \(wrap(b, 2))"
            case .subtract: return "\(wrap(a, 1)) − \(wrap(b, 2))"
            case .multiply: return "\(wrap(a, 2))·\(wrap(b, 3))"
            case .divide: return "\(wrap(a, 2))/\(wrap(b, 3))"
            case .power:
                if let k = b.numericValue, k == k.rounded(), abs(k) < 1000 {
                    return wrap(a, 5) + String(String(Int(k)).map { Formula.superscripts[$0] ?? $0 })
                }
                return "\(wrap(a, 5))^\(wrap(b, 5))"
            }
        case .call(let f, let args):
            let inner = args.map(\.unicodeText).joined(separator: ", ")
            switch f {
            case .sqrt: return args[0].level >= 5 ? "√\(inner)" : "√(\(inner))"
            case .abs: return "|\(inner)|"
            case .Phi: return "Φ(\(inner))"
            case .Phiinv: return "Φ⁻¹(\(inner))"
            case .lambertW0: return "W₀(\(inner))"
            default: return "\(f.rawValue)(\(inner))"
            }
        }
    }

    // MARK: LaTeX

    /// LaTeX source (math mode), for papers and HTML reports.
    var latexText: String {
        // Fractions are atoms for sums and products, but need parentheses as a power's base.
        func isAtomic(_ e: Formula) -> Bool {
            if case .binary(.divide, _, _) = e { return true }
            return e.level >= 5
        }
        func wrap(_ e: Formula, _ minLevel: Int) -> String {
            (isAtomic(e) && minLevel <= 4) || e.level >= minLevel ? e.latexText : "\\left(\(e.latexText)\\right)"
        }
        switch self {
        case .number(let x):
            let s = Formula.formatNumber(x)
            if let e = s.firstIndex(where: { $0 == "e" }) {
                let mantissa = s[..<e], exponent = Int(s[s.index(after: e)...]) ?? 0
                return mantissa == "1" ? "10^{\(exponent)}" : "\(mantissa) \\times 10^{\(exponent)}"
            }
            return s
        case .variable(let name): return Notation.latex(name)
        case .negate(let e): return "-" + wrap(e, 3)
        case .binary(let op, let a, let b):
            switch op {
            case .add: return "\(wrap(a, 1)) + \(wrap(b, 2))"
            case .subtract: return "\(wrap(a, 1)) - \(wrap(b, 2))"
            case .multiply: return "\(wrap(a, 2)) \\cdot \(wrap(b, 3))"
            case .divide: return "\\frac{\(a.latexText)}{\(b.latexText)}"
            case .power:
                let base = a.level >= 5 ? a.latexText : "\\left(\(a.latexText)\\right)"
                return "\(base)^{\(b.latexText)}"
            }
        case .call(let f, let args):
            let inner = args.map(\.latexText).joined(separator: ", ")
            switch f {
            case .sqrt: return "\\sqrt{\(inner)}"
            case .abs: return "\\left|\(inner)\\right|"
            case .log: return "\\log\\left(\(inner)\\right)"
            case .exp: return "\\exp\\left(\(inner)\\right)"
            case .min: return "\\min\\left\\{\(inner)\\right\\}"
            case .max: return "\\max\\left\\{\(inner)\\right\\}"
            case .erf: return "\\operatorname{erf}\\left(\(inner)\\right)"
            case .erfc: return "\\operatorname{erfc}\\left(\(inner)\\right)"
            case .Q: return "Q\\left(\(inner)\\right)"
            case .Phi: return "\\Phi\\left(\(inner)\\right)"
            case .Phiinv: return "\\Phi^{-1}\\left(\(inner)\\right)"
            case .lambertW0: return "W_0\\left(\(inner)\\right)"
            }
        }
    }
}

extension RelationOperator {
    /// The operator in the given style.
    public func printed(_ style: PrintStyle) -> String {
        switch (style, self) {
        case (.plain, _): rawValue
        case (.unicode, .lessEqual): "≤"
        case (.unicode, .greaterEqual): "≥"
        case (.latex, .lessEqual): "\\le"
        case (.latex, .greaterEqual): "\\ge"
        default: rawValue
        }
    }
}

extension Relation: CustomStringConvertible {
    /// Text of the comparison in the given style.
    package func printed(_ style: PrintStyle = .plain) -> String {
        "\(lhs.printed(style)) \(op.printed(style)) \(rhs.printed(style))"
    }

    public var description: String { printed(.plain) }
}

extension Formula: CustomStringConvertible {
    public var description: String { plainText }
}
