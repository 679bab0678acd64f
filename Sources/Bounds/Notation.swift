//===--- Notation.swift ---------------------------------------------------===//

/// How identifiers are typeset by the Unicode and LaTeX printers (docs/theory.md §1 symbols).
///
/// Identifiers not in the table are printed as they are, with a trailing `_<digits>` or
/// `<digits>` turned into a subscript.
package enum Notation {
    /// id → (Unicode, LaTeX).
    package static let symbols: [String: (unicode: String, latex: String)] = [
        "N1": ("N₁", "N_1"), "N2": ("N₂", "N_2"),
        "u_norm": ("‖u‖", "\\|u\\|"), "v1_norm": ("‖v₁‖", "\\|v_1\\|"), "v2_norm": ("‖v₂‖", "\\|v_2\\|"),
        "v_overlap": ("cos∠(v₁,v₂)", "\\cos\\angle(v_1,v_2)"),
        "sigma_p1": ("σₚ₁", "\\sigma_{p,1}"), "sigma_p2": ("σₚ₂", "\\sigma_{p,2}"), "sigma_p": ("σₚ", "\\sigma_p"),
        "sigma0": ("σ₀", "\\sigma_0"), "eta": ("η", "\\eta"), "eta2": ("η₂", "\\eta_2"), "eta_k": ("η_k", "\\eta_k"), "T1": ("T₁", "T_1"), "T2": ("T₂", "T_2"),
        "alpha": ("α", "\\alpha"), "delta": ("δ", "\\delta"), "kappa": ("κ", "\\kappa"),
        "C1": ("C₁", "C_1"), "C2": ("C₂", "C_2"), "C3": ("C₃", "C_3"), "Cprime": ("C′", "C'"),
        "SNR": ("SNR", "\\mathrm{SNR}"), "SNR_1": ("SNR₁", "\\mathrm{SNR}_1"), "SNR_2": ("SNR₂", "\\mathrm{SNR}_2"),
        "SNR_u": ("SNRᵤ", "\\mathrm{SNR}_u"),
        "Lambda": ("Λ", "\\Lambda"), "Lambda_1": ("Λ₁", "\\Lambda_1"), "Lambda_2": ("Λ₂", "\\Lambda_2"),
        "gamma_hat": ("γ̂", "\\hat\\gamma"), "gamma_hat_1": ("γ̂₁", "\\hat\\gamma_1"), "gamma_hat_2": ("γ̂₂", "\\hat\\gamma_2"),
        "A_u": ("Aᵤ", "A_u"), "A_2": ("A₂", "A_2"), "B_1": ("B₁", "B_1"), "B_2": ("B₂", "B_2"),
        "Gamma": ("Γ", "\\Gamma"), "Gamma_hat": ("Γ̂", "\\hat\\Gamma"), "Gamma_scratch": ("Γ(0)", "\\Gamma(0)"), "Gamma_inherited": ("Γ(1)", "\\Gamma(1)"),
        "d_star": ("d*", "d^{*}"), "T_star": ("T*", "T^{*}"),
        "mu_norm": ("‖μ‖", "\\|\\mu\\|"), "mu_norm_1": ("‖μ₁‖", "\\|\\mu_1\\|"), "mu_norm_2": ("‖μ₂‖", "\\|\\mu_2\\|"),
    ]

    private static let subscriptDigits: [Character: Character] = [
        "0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇", "8": "₈", "9": "₉",
    ]

    /// Split `name_12` or `name12` into ("name", "12").
    private static func splitIndex(_ name: String) -> (String, String)? {
        let digits = name.reversed().prefix { $0.isNumber }
        guard !digits.isEmpty, digits.count < name.count else { return nil }
        var stem = String(name.dropLast(digits.count))
        if stem.hasSuffix("_") { stem.removeLast() }
        guard !stem.isEmpty else { return nil }
        return (stem, String(digits.reversed()))
    }

    /// Unicode rendering of an identifier.
    public static func unicode(_ name: String) -> String {
        if let s = symbols[name] { return s.unicode }
        if let (stem, index) = splitIndex(name) {
            return stem + String(index.map { subscriptDigits[$0] ?? $0 })
        }
        return name
    }

    /// LaTeX rendering of an identifier.
    static func latex(_ name: String) -> String {
        if let s = symbols[name] { return s.latex }
        func word(_ s: String) -> String {
            s.count == 1 ? s : "\\mathrm{\(s.replacingOccurrences(of: "_", with: "\\_"))}"
        }
        if let (stem, index) = splitIndex(name) { return "\(word(stem))_{\(index)}" }
        return word(name)
    }
}
