/// Every tolerance the validation layer uses, in one place, with its reason (docs/theory.md §8).
///
/// On pass and on fail, the evidence tables show the margin together with its absolute and
/// relative error, so a reader can see how close each decision was.
public enum TolerancePolicy {
    /// Confidence of every one-sided statistical bound (Clopper–Pearson on test errors and on
    /// violation counts; Student t on fitted slopes). 0.99 per comparison keeps the chance of a
    /// false `violated` across a quick suite of ~15 statements × ~10 configurations near 1 in
    /// 10 per full report while leaving the intervals narrow enough to decide.
    public static let confidence = 0.99

    /// Relative error at which the §5 decomposition counts as exact in Double: rounding after
    /// T steps grows like T·ε ≈ 1e-13 for T ≤ 1000; 1e-9 is docs/theory.md §7's fixed tolerance.
    public static let decomposition = 1e-9

    /// Margins of deterministic claims are compared with the error estimate carried through the
    /// evaluation (GSL `_e` estimates of special functions plus ε·|value| per arithmetic step);
    /// inside it a comparison is `indeterminate`. Measured values of dynamics (ρ, γ, losses) are
    /// exact computations in Double and carry no extra error beyond this relative slack:
    package static let measuredRelativeError = 1e-12

    /// Fitted constants are searched over this range (log-uniformly bracketed, Brent-refined).
    package static let constantSearchRange = (lower: 1e-12, upper: 1e12)
}
