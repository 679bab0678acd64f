import Foundation
import NumericsCore

/// The one-screen console summary of a validation: the verdict of every statement at the
/// suite's C and, with a ladder, its ladder verdict with C₀ or the trend; the counts; the report
/// path; and the exit code with what it means.
public struct ValidationSummary {
    package let report: ValidationReport
    /// The report's index page.
    public let index: String

    package init(report: ValidationReport, index: String) {
        self.report = report
        self.index = index
    }

    public var text: String {
        let c = report.judgements.first?.regime.constant ?? 1
        var lines = ["suite \(report.suite.name): \(report.judgements.count) statements on \(report.suite.configurations.count) configurations × \(report.suite.seeds.count) seeds, judged at C = \(Judge.format(c)) (intervals at \(Int(TolerancePolicy.confidence * 100)) %)"]
        let width = report.judgements.map(\.statement.id.count).max() ?? 10
        for j in report.judgements {
            var line = j.verdict.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
            if let ladder = report.ladder(j.statement.id) {
                line += ladder.verdict.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)
                line += j.statement.id.padding(toLength: width, withPad: " ", startingAt: 0)
                let detail = ValidationReport.ladderDetail(ladder)
                line += ladder.chased ? "  " + (detail.isEmpty ? ladder.reason : detail) : ""
            } else {
                line += j.statement.id + " — " + j.reason
            }
            lines.append(line)
        }
        lines.append("at C = \(Judge.format(c)): " + Self.counts(report.counts))
        if !report.ladders.isEmpty {
            let rungs = report.ladders[0].rungs.dropFirst().map { Judge.format($0.constant) }.joined(separator: ", ")
            lines.append("ladder (C = \(rungs)): " + Self.counts(report.ladderCounts))
        }
        lines.append("report: \(index)")
        lines.append(report.exitCodeMeaning)
        return lines.joined(separator: "\n") + "\n"
    }

    /// "holds 7 · violated 10" in the order of the verdicts, without zeros.
    static func counts(_ counts: [String: Int]) -> String {
        let order = Verdict.allCases.map(\.rawValue) + LadderVerdict.allCases.map(\.rawValue)
        return order.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            .compactMap { key in counts[key].flatMap { $0 > 0 ? "\(key) \($0)" : nil } }.joined(separator: " · ")
    }
}
