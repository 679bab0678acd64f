//===--- TheoryReport.swift -----------------------------------------------===//

import NumericsCore

/// Every quantity, condition and prediction of docs/theory.md §6 for one configuration: what
/// `ptv bounds` prints.
public struct TheoryReport: Sendable {
    /// A quantity's value, or why it could not be evaluated.
    package struct QuantityValue: Sendable {
        public var quantity: TheoryQuantity
        public var result: Result<EstimatedValue, EvaluationError>
    }

    /// A condition for one task.
    package struct ConditionValue: Sendable {
        public var condition: TheoryCondition
        public var task: Int
        /// The relation with the task's ids.
        public var relation: Relation
        public var result: Result<Comparison, EvaluationError>
        /// C*: the largest C at which this condition holds (docs/theory.md §6a).
        public var largestConstant: Result<Double, EvaluationError>
    }

    /// A symbolic sensitivity ∂quantity/∂variable, its formula and value.
    package struct Sensitivity: Sendable {
        public var id: String
        public var quantity: String
        public var variable: String
        public var formula: Formula
        public var result: Result<EstimatedValue, EvaluationError>
    }

    /// The regime Theorem 4.2 predicts.
    public enum Regime: String, Sendable {
        /// Γ(α) ≥ C1: exponentially small test error.
        case benign
        /// Γ(α) ≤ C3: test error ≥ p + 0.1.
        case harmful
        /// C3 < Γ(α) < C1: the theorem is silent.
        case between
        /// Γ could not be compared with the thresholds (margin within the error, or an evaluation error).
        case indeterminate
    }

    package var quantities: [QuantityValue]
    package var conditions: [ConditionValue]
    package var sensitivities: [Sensitivity]
    /// d* in closed form and by root finding (nil when Γ or its parts cannot be evaluated).
    package var threshold: Result<DimensionThreshold, EvaluationError>
    /// The regime Γ alone predicts (see ``prediction`` for the one that heeds the hypotheses).
    public var regime: Regime
    /// C_max over every condition of both tasks (Theorem 4.2's technical hypotheses), with the
    /// binding one as `cond_<id>_<task>` (docs/theory.md §6a).
    package var regimeConstant: Result<RegimeConstant, EvaluationError>
    /// Conditions that fail (or are indeterminate, or cannot be evaluated) at the given C, as `cond_<id>_<task>`.
    public var failingConditions: [String]
    var predictedError: Result<EstimatedValue, EvaluationError>
    /// Γ(α) < Γ(0).
    var negativeTransfer: Result<Comparison, EvaluationError>
    /// The environment everything was evaluated on (no task aliases).
    public var environment: Environment

    /// Evaluate everything for the configuration values (docs/theory.md §1 ids) and constants.
    public init(configuration: [String: Double], constants: [String: Double] = [:]) {
        let env = Environment.theory(configuration: configuration, constants: constants)
        environment = env
        quantities = Theory.current.quantities.map { q in
            QuantityValue(quantity: q, result: Result { () throws(EvaluationError) in try Formula.variable(q.id).evaluate(in: env) })
        }
        threshold = Result { () throws(EvaluationError) in try DimensionThreshold(in: env) }
        // d_star is reported as none when no threshold exists.
        if let i = quantities.firstIndex(where: { $0.quantity.id == "d_star" }),
           case .success(let t) = threshold, t.closedForm == nil {
            quantities[i].result = .failure(.domain(subexpression: "d_star", reason: "no threshold: a²/C1 ≤ c′, so Γ < C1 at every d"))
        }
        var conds: [ConditionValue] = []
        for task in 1...2 {
            let taskEnv = Environment.theory(configuration: configuration, constants: constants, task: task)
            for c in Theory.current.conditions {
                let r = c.relation(forTask: task)
                conds.append(ConditionValue(condition: c, task: task, relation: r,
                                            result: Result { () throws(EvaluationError) in try r.compare(in: taskEnv) },
                                            largestConstant: Result { () throws(EvaluationError) in try r.largestConstant("C", in: taskEnv) }))
            }
        }
        conditions = conds
        failingConditions = conds.filter { $0.result.map(\.outcome) != .success(.holds) }.map { "\($0.condition.id)_\($0.task)" }
        regimeConstant = Result { () throws(EvaluationError) in
            var perTask: [RegimeConstant] = []
            for task in 1...2 {
                let taskEnv = Environment.theory(configuration: configuration, constants: constants, task: task)
                perTask.append(try RegimeConstant.of(Theory.current.conditions.map { ("\($0.id)_\(task)", $0.relation(forTask: task)) },
                                                     in: taskEnv))
            }
            return perTask.min { $0.value < $1.value }!
        }
        sensitivities = ["alpha", "N1", "u_norm"].map { variable in
            let formula = Formula.variable("Gamma").derivative(withRespectTo: variable, definitions: Theory.current.definitions)
            return Sensitivity(id: "dGamma_d\(variable)", quantity: "Gamma", variable: variable, formula: formula,
                               result: Result { () throws(EvaluationError) in try formula.evaluate(in: env) })
        }
        predictedError = Result { () throws(EvaluationError) in try Formula.variable("predicted_error").evaluate(in: env) }
        negativeTransfer = Result { () throws(EvaluationError) in try Theory.current.negativeTransfer.compare(in: env) }
        let benign = Result { () throws(EvaluationError) in try Theory.current.benign.compare(in: env) }
        let harmful = Result { () throws(EvaluationError) in try Theory.current.harmful.compare(in: env) }
        switch (benign, harmful) {
        case (.success(let b), _) where b.outcome == .holds: regime = .benign
        case (.success(let b), .success(let h)) where b.outcome == .fails && h.outcome == .holds: regime = .harmful
        case (.success(let b), .success(let h)) where b.outcome == .fails && h.outcome == .fails: regime = .between
        default: regime = .indeterminate
        }
    }

    /// The prediction: "outside the hypotheses (cond_…)" when a condition fails at the given C
    /// (the theorem then says nothing), else the regime of Γ.
    public var prediction: String {
        failingConditions.isEmpty ? regime.rawValue : "outside the hypotheses (\(failingConditions.joined(separator: ", ")))"
    }

    /// The value of a quantity by id, if it evaluated.
    public func value(_ id: String) -> EstimatedValue? {
        guard let q = quantities.first(where: { $0.quantity.id == id }), case .success(let v) = q.result else { return nil }
        return v
    }
}
