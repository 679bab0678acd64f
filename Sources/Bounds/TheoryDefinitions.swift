//===--- TheoryDefinitions.swift ------------------------------------------===//

/// The quantities and conditions of docs/theory.md §6, each defined once in the bounds language.
///
/// Per-task quantities are written once as templates over the *per-task aliases*
///
/// | alias | task 1 | task 2 |
/// |---|---|---|
/// | `n` | `N1` | `N2` |
/// | `sigma_p` | `sigma_p1` | `sigma_p2` |
/// | `mu_norm` | `mu_norm_1` | `mu_norm_2` |
/// | `T_star` | `T1` | `T2` |
/// | `eta_k` | `eta` | `eta2` |
///
/// and instantiated by substitution (`SNR_1` is `SNR` with the task-1 aliases). The same
/// aliases let a lemma of `proofs/` speak of "the task's n" and be judged on either task.
public enum TheoryDefinitions {
    private static func parsed(_ text: String) -> Formula {
        do { return try Formula(parsing: text) } catch {
            preconditionFailure("built-in definition does not parse: \(text): \(error)")
        }
    }

    private static func relation(_ text: String) -> Relation {
        do { return try Relation(parsing: text) } catch {
            preconditionFailure("built-in condition does not parse: \(text): \(error)")
        }
    }

    /// The alias bindings of task 1 or 2 (see the table above).
    static func taskAliases(_ task: Int) -> [String: Formula] {
        let k = task == 1 ? "1" : "2"
        return ["n": .variable("N" + k), "sigma_p": .variable("sigma_p" + k),
                "mu_norm": .variable("mu_norm_" + k), "T_star": .variable("T" + k),
                "eta_k": .variable(task == 1 ? "eta" : "eta2")]
    }

    /// Per-task templates (docs/theory.md §6), in terms of the aliases; instantiated as `<id>_1`,
    /// `<id>_2`. Units: SNR is dimensionless (‖μ‖ and σ_p√d are both norms of patch
    /// vectors); Λ and γ̂ are dimensionless.
    public static let templates: [TheoryQuantity] = [
        TheoryQuantity(id: "SNR", title: "signal-to-noise ratio ‖μ‖/(σ_p√d) of the task",
                       formula: parsed("mu_norm/(sigma_p*sqrt(d))"), units: "dimensionless", provenance: .predecessor),
        TheoryQuantity(id: "Lambda", title: "phase variable n‖μ‖⁴/(σ_p⁴d) of the task trained from scratch",
                       formula: parsed("n*mu_norm^4/(sigma_p^4*d)"), units: "dimensionless", provenance: .predecessor),
        TheoryQuantity(id: "gamma_hat", title: "signal-coefficient growth scale n‖μ‖²/(σ_p²d) = n·SNR²",
                       formula: parsed("n*mu_norm^2/(sigma_p^2*d)"), units: "dimensionless", provenance: .predecessor),
    ]

    /// Every quantity reported by `ptv bounds`, in report order.
    public static let quantities: [TheoryQuantity] = {
        var list: [TheoryQuantity] = []
        for k in 1...2 {
            list.append(TheoryQuantity(
                id: "mu_norm_\(k)", title: "‖μ_\(k)‖ = ‖u + v_\(k)‖, task \(k)'s full signal strength (u ⊥ v_\(k))",
                formula: parsed("sqrt(u_norm^2 + v\(k)_norm^2)"), units: "signal norm (units of u_norm)",
                provenance: .paper, provenanceNote: "setting", section: "§1", task: k))
        }
        for t in templates {
            for k in 1...2 {
                var q = t
                q.id = "\(t.id)_\(k)"
                q.title = t.title.replacingOccurrences(of: "the task", with: "task \(k)")
                q.formula = t.formula.substituting(taskAliases(k))
                q.task = k
                list.append(q)
            }
        }
        let gamma = parsed("(alpha*A_u + (1 - alpha)*A_2)^2/(alpha^2*B_1 + (1 - alpha)^2*B_2)")
        list += [
            TheoryQuantity(id: "SNR_u", title: "universal-signal SNR ‖u‖/(σ_{p,1}√d)",
                           formula: parsed("u_norm/(sigma_p1*sqrt(d))"), units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "A_u", title: "signal the inherited filters carry into task 2, N₁‖u‖²/(σ_{p,1}²d)",
                           formula: parsed("N1*u_norm^2/(sigma_p1^2*d)"), units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "B_1", title: "test-noise variance the inherited filters carry",
                           formula: parsed("(N1*sigma_p2^2/(sigma_p1^2*d))*(1 + N1*v1_norm^2/(sigma_p1^2*d))"),
                           units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "A_2", title: "signal the fresh filters learn on task 2, N₂‖μ₂‖²/(σ_{p,2}²d)",
                           formula: parsed("N2*mu_norm_2^2/(sigma_p2^2*d)"), units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "B_2", title: "test-noise variance of the fresh filters, N₂/d",
                           formula: parsed("N2/d"), units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "Gamma", title: "transfer phase variable Γ(α) at the config's α",
                           formula: gamma, units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "Gamma_scratch", title: "Γ(0) = Λ₂: the scratch baseline",
                           formula: gamma.substituting(values: ["alpha": 0]).simplified(),
                           units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "Gamma_inherited", title: "Γ(1): every filter inherited",
                           formula: gamma.substituting(values: ["alpha": 1]).simplified(),
                           units: "dimensionless", provenance: .reconstruction),
            TheoryQuantity(id: "predicted_error", title: "predicted test error p + (1−2p)·Q(κ√Γ)",
                           formula: parsed("p + (1 - 2*p)*Q(kappa*sqrt(Gamma))"), units: "probability",
                           provenance: .reconstruction),
            TheoryQuantity(id: "d_star_a", title: "a in Γ(α; d) = a²/(c·d + c′)",
                           formula: parsed("alpha*N1*u_norm^2/sigma_p1^2 + (1 - alpha)*N2*mu_norm_2^2/sigma_p2^2"),
                           units: "squared signal norm over noise variance (a²/(c·d) is dimensionless)",
                           provenance: .reconstruction),
            TheoryQuantity(id: "d_star_c", title: "c in Γ(α; d) = a²/(c·d + c′)",
                           formula: parsed("alpha^2*N1*sigma_p2^2/sigma_p1^2 + (1 - alpha)^2*N2"),
                           units: "samples", provenance: .reconstruction),
            TheoryQuantity(id: "d_star_cprime", title: "c′ in Γ(α; d) = a²/(c·d + c′)",
                           formula: parsed("alpha^2*N1^2*sigma_p2^2*v1_norm^2/sigma_p1^4"),
                           units: "samples × patch dimension", provenance: .reconstruction),
            TheoryQuantity(id: "d_star", title: "dimension threshold d* where Γ(α) = C1 (closed form; none when a²/C1 ≤ c′)",
                           formula: parsed("(d_star_a^2/C1 - d_star_cprime)/d_star_c"), units: "patch dimension",
                           provenance: .reconstruction, provenanceNote: "paper shape"),
        ]
        return list
    }()

    /// The conditions of docs/theory.md §6, per task (in terms of the aliases).
    public static let conditions: [TheoryCondition] = [
        TheoryCondition(id: "cond_overparam", title: "over-parameterisation m ≥ C log(n/δ)",
                        relation: relation("m >= C*log(n/delta)"), provenance: .paper),
        TheoryCondition(id: "cond_samples", title: "enough samples n ≥ C log(m/δ)",
                        relation: relation("n >= C*log(m/delta)"), provenance: .predecessor),
        TheoryCondition(id: "cond_dimension", title: "high dimension d ≥ C max{nσ_p⁻²‖μ‖² log T*, n² log(nm/δ)(log T*)²}",
                        relation: relation("d >= C*max(n*mu_norm^2*log(T_star)/sigma_p^2, n^2*log(n*m/delta)*log(T_star)^2)"),
                        provenance: .predecessor),
        TheoryCondition(id: "cond_signal", title: "signal strength ‖μ‖² ≥ C σ_p² log(n/δ)",
                        relation: relation("mu_norm^2 >= C*sigma_p^2*log(n/delta)"), provenance: .predecessor),
        TheoryCondition(id: "cond_label_noise", title: "label noise p ≤ 1/C",
                        relation: relation("p <= 1/C"), provenance: .predecessor),
        TheoryCondition(id: "cond_init", title: "small initialisation σ₀ ≤ [C max{σ_p d/√n, √log(m/δ)‖μ‖}]⁻¹",
                        relation: relation("sigma0 <= 1/(C*max(sigma_p*d/sqrt(n), sqrt(log(m/delta))*mu_norm))"),
                        provenance: .predecessor),
        TheoryCondition(id: "cond_step", title: "small step η_k ≤ [C max{σ_p²d^{3/2}/(n²m√log(n/δ)), σ_p²d/n}]⁻¹ (the task's own step size)",
                        relation: relation("eta_k <= 1/(C*max(sigma_p^2*d^1.5/(n^2*m*sqrt(log(n/delta))), sigma_p^2*d/n))"),
                        provenance: .predecessor, provenanceNote: "form uncertain"),
    ]

    /// The relation whose truth predicts negative transfer: Γ(α) < Γ(0).
    static let negativeTransfer = relation("Gamma < Gamma_scratch")
    /// Benign regime of Theorem 4.2: Γ(α) ≥ C1.
    public static let benign = relation("Gamma >= C1")
    /// Harmful regime of Theorem 4.2: Γ(α) ≤ C3.
    public static let harmful = relation("Gamma <= C3")

    /// Every quantity and template as one definition set (templates need the aliases).
    public static let definitions: DefinitionSet = {
        do {
            return try DefinitionSet((templates + quantities).map { ($0.id, $0.formula) })
        } catch {
            preconditionFailure("built-in definitions are inconsistent: \(error)")
        }
    }()

    /// The quantity with this id.
    public static func quantity(_ id: String) -> TheoryQuantity? {
        (quantities + templates).first { $0.id == id }
    }

    /// The condition with this id (without task suffix).
    public static func condition(_ id: String) -> TheoryCondition? {
        conditions.first { $0.id == id }
    }
}

extension Environment {
    /// The standard environment of the theory: configuration values (docs/theory.md §1 ids),
    /// constants (defaults of ``IdentifierCatalog/constantDefaults`` overridden by
    /// `constants`), the §6 definitions and, for `task` 1 or 2, the per-task aliases.
    public static func theory(configuration: [String: Double], constants: [String: Double] = [:],
                              task: Int? = nil) -> Environment {
        var values = IdentifierCatalog.constantDefaults.merging(constants) { _, given in given }
        values.merge(configuration) { _, config in config }
        if values["eta2"] == nil, let eta = values["eta"] { values["eta2"] = eta }   // η₂ defaults to η
        return Environment(values, definitions: TheoryDefinitions.definitions(forTask: task))
    }
}

extension TheoryDefinitions {
    /// The definitions, plus the per-task aliases (n, σ_p, ‖μ‖, T*) of `task` when given.
    public static func definitions(forTask task: Int?) -> DefinitionSet {
        guard let task else { return definitions }
        let aliases = taskAliases(task).sorted { $0.key < $1.key }
        // The aliases are plain renamings of defined or configuration ids: no cycle possible.
        return (try? definitions.merging(DefinitionSet(aliases.map { ($0.key, $0.value) }))) ?? definitions
    }
}
