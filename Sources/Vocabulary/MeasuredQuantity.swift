/// The quantities the probes measure on recorded runs (docs/theory.md §5–§7), by the
/// identifier a claim in `proofs/` uses; the identifier catalog derives its measured entries
/// from these, and the probes name them through this type.
public enum MeasuredQuantity: String, CaseIterable, Sendable {
    case noiseNormSq = "noise_norm_sq"
    case noiseCorr = "noise_corr"
    case initNormSq = "init_norm_sq"
    case initSignal = "init_signal"
    case initNoise = "init_noise"
    case beta = "beta"
    case rhoBarMin = "rho_bar_min"
    case rhoBarMax = "rho_bar_max"
    case rhoUnderMin = "rho_under_min"
    case rhoUnderMax = "rho_under_max"
    case gammaMin = "gamma_min"
    case gammaMax = "gamma_max"
    case signalNoiseRatio = "signal_noise_ratio"
    case relError = "rel_error"
    case trainLoss = "train_loss"
    case testError = "test_error"
    case cleanTestError = "clean_test_error"
    case scratchTestError = "scratch_test_error"
    case errorSlopeAlpha = "error_slope_alpha"
    case errorSlopeN1 = "error_slope_N1"
    case errorSlopeUNorm = "error_slope_u_norm"
    case errorSlopeSigmaP1 = "error_slope_sigma_p1"
    case marginMean = "margin_mean"
    case marginVar = "margin_var"
    case gammaHat = "Gamma_hat"

    /// The identifier in `proofs/`.
    public var id: String { rawValue }

    public var meaning: String {
        switch self {
        case .noiseNormSq: "‖ξ_i‖² of one training sample"
        case .noiseCorr: "|⟨ξ_i, ξ_i′⟩| of one pair of distinct training samples"
        case .initNormSq: "‖w⁽⁰⁾_{j,r}‖² of one filter at initialisation"
        case .initSignal: "|⟨w⁽⁰⁾_{j,r}, μ⟩| of one filter"
        case .initNoise: "|⟨w⁽⁰⁾_{j,r}, ξ_i⟩| of one filter and training sample"
        case .beta: "β = 2 max{|⟨w⁽⁰⁾_{j,r}, μ⟩|, |⟨w⁽⁰⁾_{j,r}, ξ_i⟩|} over filters and samples"
        case .rhoBarMin: "smallest ρ̄_{j,r,i}^{(t)} over filters, samples and recorded steps"
        case .rhoBarMax: "largest ρ̄_{j,r,i}^{(t)}"
        case .rhoUnderMin: "smallest (most negative) ρ̲_{j,r,i}^{(t)}"
        case .rhoUnderMax: "largest ρ̲_{j,r,i}^{(t)}"
        case .gammaMin: "smallest γ_{j,r}^{(t)} over filters and recorded steps"
        case .gammaMax: "largest γ_{j,r}^{(t)}"
        case .signalNoiseRatio: "fitted ratio γ_{j,r}/Σ_i ρ̄_{j,r,i} at the last step"
        case .relError: "largest relative error of the §5 decomposition rebuilding a filter"
        case .trainLoss: "training loss L_S(W) after the steps run"
        case .testError: "test error (against the observed label y) of the transferred model"
        case .cleanTestError: "test error against the true label ŷ"
        case .scratchTestError: "test error of the scratch baseline (α = 0, same data and fresh init)"
        case .errorSlopeAlpha: "fitted slope of downstream test error against α (benign configurations)"
        case .errorSlopeN1: "fitted slope of downstream test error against N₁"
        case .errorSlopeUNorm: "fitted slope of downstream test error against ‖u‖"
        case .errorSlopeSigmaP1: "fitted slope of downstream test error against σ_{p,1}"
        case .marginMean: "mean over the test set of the margin ŷ·f(W, x) (docs/theory.md §6b)"
        case .marginVar: "variance (divisor n_test) over the test set of the margin ŷ·f(W, x)"
        case .gammaHat: "measured phase variable Γ̂ = E[ŷf]²/Var[ŷf] on the test set (§6b)"
        }
    }

    public var unit: String {
        switch self {
        case .noiseNormSq: "signal norm²"
        case .noiseCorr: "signal norm²"
        case .initNormSq: "weight²"
        case .initSignal: "weight × signal norm"
        case .initNoise: "weight × signal norm"
        case .beta: "weight × signal norm"
        case .rhoBarMin: "dimensionless"
        case .rhoBarMax: "dimensionless"
        case .rhoUnderMin: "dimensionless"
        case .rhoUnderMax: "dimensionless"
        case .gammaMin: "dimensionless"
        case .gammaMax: "dimensionless"
        case .signalNoiseRatio: "dimensionless"
        case .relError: "dimensionless"
        case .trainLoss: "loss (nats)"
        case .testError: "probability"
        case .cleanTestError: "probability"
        case .scratchTestError: "probability"
        case .errorSlopeAlpha: "probability per unit α"
        case .errorSlopeN1: "probability per sample"
        case .errorSlopeUNorm: "probability per signal norm"
        case .errorSlopeSigmaP1: "probability per signal norm"
        case .marginMean: "network output"
        case .marginVar: "network output²"
        case .gammaHat: "dimensionless"
        }
    }
}
