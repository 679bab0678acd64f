//===--- TheoryReport+Rendering.swift -------------------------------------===//

import Foundation
import Platform
import NumericsCore

extension TheoryReport {
    /// The `ptv bounds --json` object:
    ///
    /// ```
    /// {"quantities": {"<id>": {"value", "error", "formula", "provenance", "section", "units"}},
    ///  "conditions": [{"id", "task", "lhs", "rhs", "holds", "verdict", "margin", "error", "relation", "provenance"}],
    ///  "predictions": {"regime", "predicted_test_error", "negative_transfer", "negative_transfer_verdict"},
    ///  "sensitivities": {"dGamma_dalpha": {"value", "error", "formula"}, …},
    ///  "d_star_check": {"closed_form", "root_finding", "relative_disagreement"}}
    /// ```
    ///
    /// A value that cannot be evaluated is `null` with a `"failure"` message; `d_star` is
    /// `null` when there is no threshold.
    package var jsonObject: [String: JSONValue] {
        var quantityObjects: [String: JSONValue] = [:]
        for q in quantities {
            var o: [String: JSONValue] = ["formula": q.quantity.formula.plainText.json, "provenance": q.quantity.provenanceLabel.json,
                                    "section": q.quantity.section.json, "units": q.quantity.units.json]
            switch q.result {
            case .success(let v):
                o["value"] = v.value.json
                o["error"] = v.error.json
            case .failure(let e):
                o["value"] = .null
                o["error"] = .null
                o["failure"] = e.description.json
            }
            quantityObjects[q.quantity.id] = .object(o)
        }
        let conditionObjects: [JSONValue] = conditions.map { c in
            var o: [String: JSONValue] = ["id": c.condition.id.json, "task": c.task.json, "relation": c.relation.plainTextForReport.json,
                                    "provenance": c.condition.provenanceLabel.json, "section": c.condition.section.json,
                                    "C_star": (try? c.largestConstant.get()).json]
            switch c.result {
            case .success(let cmp):
                o["lhs"] = cmp.lhs.value.json
                o["rhs"] = cmp.rhs.value.json
                o["holds"] = cmp.holds.json
                o["verdict"] = cmp.outcome.rawValue.json
                o["margin"] = cmp.margin.json
                o["error"] = cmp.error.json
            case .failure(let e):
                o["lhs"] = .null
                o["rhs"] = .null
                o["holds"] = false
                o["verdict"] = "error"
                o["failure"] = e.description.json
            }
            return .object(o)
        }
        var predictions: [String: JSONValue] = ["regime": prediction.json, "regime_by_gamma": regime.rawValue.json,
                                          "failing_conditions": failingConditions.json]
        switch regimeConstant {
        case .success(let r):
            predictions["C_max"] = r.value.json
            predictions["binding_condition"] = r.binding.json
        case .failure(let e):
            predictions["C_max"] = .null; predictions["binding_condition"] = "error: \(e)"
        }
        switch predictedError {
        case .success(let v): predictions["predicted_test_error"] = v.value.json
        case .failure(let e): predictions["predicted_test_error"] = .null; predictions["failure"] = e.description.json
        }
        switch negativeTransfer {
        case .success(let c):
            predictions["negative_transfer"] = c.holds.json
            predictions["negative_transfer_verdict"] = c.outcome.rawValue.json
        case .failure(let e):
            predictions["negative_transfer"] = false
            predictions["negative_transfer_verdict"] = "error: \(e)"
        }
        var sensitivityObjects: [String: JSONValue] = [:]
        for s in sensitivities {
            var o: [String: JSONValue] = ["formula": s.formula.plainText.json]
            switch s.result {
            case .success(let v): o["value"] = v.value.json; o["error"] = v.error.json
            case .failure(let e): o["value"] = .null; o["error"] = .null; o["failure"] = e.description.json
            }
            sensitivityObjects[s.id] = .object(o)
        }
        var check: [String: JSONValue] = [:]
        switch threshold {
        case .success(let t):
            check["closed_form"] = t.closedForm.json
            check["root_finding"] = t.rootFinding.json
            check["relative_disagreement"] = t.relativeDisagreement.json
            if let f = t.rootFindingFailure { check["root_finding_failure"] = f.json }
        case .failure(let e):
            check["failure"] = e.description.json
        }
        return ["quantities": .object(quantityObjects), "conditions": .array(conditionObjects), "predictions": .object(predictions),
                "sensitivities": .object(sensitivityObjects), "d_star_check": .object(check)]
    }

    /// `value ± error` with 6 significant digits.
    static func format(_ v: EstimatedValue) -> String {
        String(format: "%.6g ± %.2g", v.value, v.error)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    /// The human-readable report of `ptv bounds`.
    public var text: String {
        var lines: [String] = ["Quantities (docs/theory.md §6; value ± absolute error estimate)"]
        for q in quantities {
            let value: String
            switch q.result {
            case .success(let v): value = Self.format(v)
            case .failure(let e): value = q.quantity.id == "d_star" ? "none" : "error: \(e)"
            }
            lines.append("  " + Self.pad(q.quantity.id, 16) + Self.pad(value, 26) + Self.pad(q.quantity.provenanceLabel, 28)
                         + Self.pad(q.quantity.section, 4) + q.quantity.formula.unicodeText)
        }
        lines.append("")
        lines.append("Conditions (docs/theory.md §6, C = \(environment.values["C"].map { Formula.formatNumber($0.value) } ?? "?"))")
        for c in conditions {
            let verdict: String, detail: String
            switch c.result {
            case .success(let cmp):
                verdict = cmp.outcome.rawValue
                let cStar = (try? c.largestConstant.get()).map { String(format: ", C* %.3g", $0) } ?? ""
                detail = String(format: "lhs %.6g, rhs %.6g", cmp.lhs.value, cmp.rhs.value) + cStar
            case .failure(let e):
                verdict = "error"
                detail = e.description
            }
            lines.append("  task \(c.task)  " + Self.pad(c.condition.id, 18) + Self.pad(verdict, 14) + Self.pad(detail, 48)
                         + Self.pad(c.condition.provenanceLabel, 28) + c.relation.printed(.unicode))
        }
        lines.append("")
        lines.append("Predictions (reconstruction)")
        lines.append("  regime: \(prediction)" + (failingConditions.isEmpty ? "" : "; by Γ alone: \(regime.rawValue)"))
        switch regimeConstant {
        case .success(let r):
            lines.append("  C_max = \(Formula.formatNumber(r.value))" + (r.binding.map { " (binding: \($0))" } ?? " (no condition involves C)")
                         + ": the largest C at which every condition of both tasks holds (docs/theory.md §6a)")
        case .failure(let e): lines.append("  C_max: \(e)")
        }
        switch predictedError {
        case .success(let v): lines.append("  predicted test error p + (1−2p)·Q(κ√Γ): \(Self.format(v))")
        case .failure(let e): lines.append("  predicted test error: \(e)")
        }
        switch negativeTransfer {
        case .success(let c):
            lines.append("  negative transfer Γ(α) < Γ(0): \(c.outcome.rawValue) (Γ(α) = \(Self.format(c.lhs)), Γ(0) = \(Self.format(c.rhs)))")
        case .failure(let e): lines.append("  negative transfer: \(e)")
        }
        switch threshold {
        case .success(let t):
            let closed = t.closedForm.map { String(format: "%.10g", $0) } ?? "none"
            let root = t.rootFinding.map { String(format: "%.10g", $0) } ?? "none"
            lines.append("  d*: closed form \(closed), Brent root finding \(root) (relative disagreement \(String(format: "%.2g", t.relativeDisagreement)))")
        case .failure(let e): lines.append("  d*: \(e)")
        }
        lines.append("")
        lines.append("Sensitivities (symbolic derivatives, evaluated)")
        for s in sensitivities {
            let value: String
            switch s.result {
            case .success(let v): value = Self.format(v)
            case .failure(let e): value = "error: \(e)"
            }
            lines.append("  ∂Γ/∂\(Notation.unicode(s.variable)) = \(value)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Relation {
    /// Plain text, as shown in reports and JSON.
    var plainTextForReport: String { printed(.plain) }
}
