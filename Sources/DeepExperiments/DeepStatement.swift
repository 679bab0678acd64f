import Bounds
import DeepNetworks
import Foundation
import NumericsCore
import Platform
import Validation
import Vocabulary
import Yams

/// A claim about deep networks from the paper's experiments (`proofs/deep/<id>.yaml`;
/// docs/theory.md §9c), judged on the transfer − scratch test-accuracy gain of named suite
/// configurations, paired by seed:
///
/// ```yaml
/// id: deep-transfer-helps
/// title: …
/// provenance: paper
/// source: …
/// configurations: [ratio-2, ratio-4]   # suite labels, in the order of the axis
/// axis: sample_ratio                   # sample_ratio, downstream_samples, label_noise, alpha, or none
/// claim: {gain: "> 0", trend: ">= 0"}  # the gain at each, and its change from one to the next
/// paper: {ratio-2: 2.6, ratio-4: 12.0} # the paper's gains in points, where it gives one
/// ```
public struct DeepStatement: Sendable {
    /// What a claim compares with: 0, or the paper's gain at each configuration.
    package enum Reference: String, Sendable {
        case zero = "0"
        case paper
    }

    /// The claims compare an interval with 0 ("> 0", ">= 0", "< 0", "<= 0") or, for the gain,
    /// with the paper's gain at each configuration (">= paper"), judged by
    /// ``RelationOperator/judge(_:against:)``, the rule the lemmas' intervals use.
    package static func relation(_ text: String, field: String, allowingPaper: Bool = false) throws -> (RelationOperator, Reference) {
        let parts = text.split(separator: " ")
        let references = allowingPaper ? ["0", "paper"] : ["0"]
        guard parts.count == 2, references.contains(String(parts[1])), let op = RelationOperator(rawValue: String(parts[0])),
              let reference = Reference(rawValue: String(parts[1])) else {
            let allowed = RelationOperator.allCases.flatMap { op in references.map { "\"\(op.rawValue) \($0)\"" } }
            throw ConfigError(field: field, "'\(InputText.excerpt(text))' is not allowed (one of \(allowed.joined(separator: ", ")))")
        }
        return (op, reference)
    }

    /// What the configurations vary along, for the figure (and for a suite's gain curves).
    public enum Axis: String, Sendable, CaseIterable {
        case sampleRatio = "sample_ratio", downstreamSamples = "downstream_samples", labelNoise = "label_noise", alpha, none

        public var title: String {
            switch self {
            case .sampleRatio: "N₁/N₂ (upstream / downstream training images)"
            case .downstreamSamples: "N₂ (downstream training images)"
            case .labelNoise: "downstream label noise"
            case .alpha: "α (share of each transferred layer's output channels inherited)"
            case .none: "configuration"
            }
        }

        public func value(_ c: DeepSuite.Configuration) -> Double? {
            switch self {
            case .sampleRatio: c.sampleRatio
            case .downstreamSamples: Double(c.downstream.trainSamples)
            case .labelNoise: c.downstream.labelNoise
            case .alpha: c.transfer.alpha
            case .none: nil
            }
        }

        /// Whether the axis is drawn on a logarithmic scale (sizes and ratios double along it).
        public var isLogarithmic: Bool { self == .sampleRatio || self == .downstreamSamples }
    }

    public var id: String
    public var title: String
    public var provenance: Provenance
    public var source: String
    public var configurations: [String]
    public var axis: Axis
    /// How the gain compares with its reference (nil: only the trend is claimed).
    package var gain: RelationOperator?
    /// What the gain is compared with: 0, or the paper's gain at each configuration.
    package var gainReference: Reference = .zero
    /// How the gain's change between consecutive configurations compares with 0, if at all.
    package var trend: RelationOperator?
    /// The paper's gain in points at a configuration, where it reports one.
    public var paper: [String: Double]

    public static let keys = ["id", "title", "provenance", "source", "configurations", "axis", "claim", "paper"]

    /// The claim in words.
    package var claimText: String {
        var parts: [String] = []
        if let gain {
            parts.append("transfer − scratch test accuracy \(gain.rawValue) \(gainReference == .paper ? "the paper's gain" : "0") at \(configurations.joined(separator: ", "))")
        }
        if let trend { parts.append("the gain's change from each configuration to the next (\(configurations.joined(separator: " → "))) \(trend.rawValue) 0") }
        return parts.joined(separator: "; ")
    }

    /// What the gain at `label` is compared with, in words: "0" or "+2.6 (the paper's)".
    package func reference(at label: String) -> String {
        gainReference == .paper ? String(format: "%+.1f (the paper's)", paper[label] ?? .nan) : "0"
    }

    /// The gain's interval minus its reference (in fractions of accuracy), the interval the
    /// gain claim compares with 0.
    package func excess(_ g: (label: String, difference: PairedDifference, detectable: Double)) -> PairedDifference {
        gainReference == .paper ? g.difference.shifted(by: -(paper[g.label] ?? .nan) / 100) : g.difference
    }

    /// Every statement file of `directory`, sorted by id; problems name the file.
    public static func load(directory: URL) throws -> [DeepStatement] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted() } catch {
            throw ConfigError(field: "proofs", "cannot read the deep statements folder \(InputText.excerpt(directory.path))")
        }
        guard !names.isEmpty else { throw ConfigError(field: "proofs", "no deep statement files (*.yaml) in \(InputText.excerpt(directory.path))") }
        return try names.map { name in
            let url = directory.appendingPathComponent(name)
            do {
                let statement = try parse(yaml: YAMLInput.text(of: url, field: "file"))
                guard statement.id + ".yaml" == name else { throw ConfigError(field: "id", "'\(statement.id)' differs from the file name") }
                return statement
            } catch let error as ConfigError {
                throw ConfigError(field: "\(name): \(error.field)", error.problem)
            }
        }
    }

    public static func parse(yaml text: String) throws -> DeepStatement {
        guard let root = try YAMLInput.compose(text, field: "file"), let fields = root.mapping else {
            throw ConfigError(field: "file", "a deep statement is a mapping of \(keys.joined(separator: ", "))")
        }
        for (key, _) in try YAMLInput.entries(fields, field: "") where !keys.contains(key) {
            throw ConfigError(field: key, "unknown key (allowed: \(keys.joined(separator: ", ")))")
        }
        func required(_ key: String) throws -> String {
            guard let value = fields[key]?.string, !value.isEmpty else { throw ConfigError(field: key, "required") }
            return value
        }
        let provenanceText = try required("provenance")
        guard let provenance = Provenance(rawValue: provenanceText) else {
            throw ConfigError(field: "provenance", "'\(InputText.excerpt(provenanceText))' is not allowed (one of \(Provenance.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let list = fields["configurations"]?.sequence, !list.isEmpty else { throw ConfigError(field: "configurations", "expected a non-empty list of suite labels") }
        let configurations = try list.enumerated().map { try KeyReader.label($1, field: "configurations[\($0)]") }
        let axisText = fields["axis"]?.string ?? "none"
        guard let axis = Axis(rawValue: axisText) else {
            throw ConfigError(field: "axis", "'\(InputText.excerpt(axisText))' is not allowed (one of \(Axis.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let claim = fields["claim"]?.mapping else { throw ConfigError(field: "claim", "expected a mapping with gain and, optionally, trend") }
        var gain: RelationOperator?, trend: RelationOperator?, reference = Reference.zero
        for (key, value) in try YAMLInput.entries(claim, field: "claim") {
            let text = try KeyReader.label(value, field: "claim.\(key)")
            switch key {
            case "gain": (gain, reference) = try relation(text, field: "claim.gain", allowingPaper: true)
            case "trend": trend = try relation(text, field: "claim.trend").0
            default: throw ConfigError(field: "claim.\(key)", "unknown key (allowed: gain, trend)")
            }
        }
        guard gain != nil || trend != nil else { throw ConfigError(field: "claim", "expected gain, trend or both") }
        guard trend == nil || configurations.count >= 2 else { throw ConfigError(field: "claim.trend", "a trend needs at least two configurations") }
        var paper: [String: Double] = [:]
        if let node = fields["paper"] {
            guard let mapping = node.mapping else { throw ConfigError(field: "paper", "expected a mapping of configuration label to the paper's gain in points") }
            for (label, value) in try YAMLInput.entries(mapping, field: "paper") {
                guard configurations.contains(label) else { throw ConfigError(field: "paper.\(label)", "not one of the statement's configurations") }
                paper[label] = try DeepConfig.real(value, "paper.\(label)", .finite)
            }
        }
        if reference == .paper, let missing = configurations.first(where: { paper[$0] == nil }) {
            throw ConfigError(field: "paper.\(missing)", "required: the gain is compared with the paper's gain at every configuration")
        }
        return DeepStatement(id: try required("id"), title: try required("title"), provenance: provenance, source: try required("source"),
                             configurations: configurations, axis: axis, gain: gain, gainReference: reference, trend: trend, paper: paper)
    }
}

/// A deep statement's verdict with its evidence (docs/theory.md §9c).
public struct DeepJudgement: Sendable {
    public let statement: DeepStatement
    public let verdict: Verdict
    public let reason: String
    /// The gain (transfer − scratch test accuracy, as a fraction) per configuration, with its
    /// minimum detectable effect at the statement's confidence and 80 % power (docs/theory.md §9d).
    public let gains: [(label: String, difference: PairedDifference, detectable: Double)]
    /// The gain's change between consecutive configurations, per seed.
    package let trends: [(from: String, to: String, difference: PairedDifference)]
    /// The confidence of each interval: 1 − (1 − 0.99)/k for the statement's k intervals
    /// (Bonferroni), so all of a statement's intervals hold together with probability ≥ 0.99.
    public let confidence: Double

    /// Judge `statement` on per-seed gains by configuration label (seeds aligned across labels).
    public static func judge(_ statement: DeepStatement, gains perSeed: [String: [Double]]) throws -> DeepJudgement {
        let missing = statement.configurations.filter { perSeed[$0] == nil }
        guard missing.isEmpty else {
            return DeepJudgement(statement: statement, verdict: .notApplicable,
                                 reason: "the suite has no configuration \(missing.joined(separator: ", "))", gains: [], trends: [], confidence: TolerancePolicy.confidence)
        }
        let intervals = (statement.gain == nil ? 0 : statement.configurations.count) + (statement.trend == nil ? 0 : statement.configurations.count - 1)
        let confidence = 1 - (1 - TolerancePolicy.confidence) / Double(intervals)
        let gains = try statement.configurations.map {
            (label: $0, difference: try PairedDifference(perSeed[$0]!, confidence: confidence),
             detectable: try PairedDifference.minimumDetectableEffect(perSeed[$0]!, confidence: confidence))
        }
        var trends: [(from: String, to: String, difference: PairedDifference)] = []
        if statement.trend != nil {
            for (a, b) in zip(statement.configurations, statement.configurations.dropFirst()) {
                trends.append((a, b, try PairedDifference(zip(perSeed[a]!, perSeed[b]!).map { $1 - $0 }, confidence: confidence)))
            }
        }
        var parts: [(Verdict, String)] = []
        if let gain = statement.gain {
            parts = gains.map { g in
                let v = gain.judge(statement.excess(g))
                var text = "gain at \(g.label) \(g.difference.pointsText) points: \(gain.rawValue) \(statement.reference(at: g.label)) \(v.rawValue)"
                if v == .indeterminate, let paper = statement.paper[g.label] {
                    text += Self.detection(paper: paper, detectable: g.detectable)
                }
                return (v, text)
            }
        }
        if let trend = statement.trend {
            parts += trends.map { t in
                let v = trend.judge(t.difference)
                return (v, "change \(t.from) → \(t.to) \(t.difference.pointsText) points: \(trend.rawValue) 0 \(v.rawValue)")
            }
        }
        let verdict = parts.map(\.0).max() ?? .indeterminate
        return DeepJudgement(statement: statement, verdict: verdict, reason: parts.map(\.1).joined(separator: "; "),
                             gains: gains, trends: trends, confidence: confidence)
    }

    /// What an open interval says about the paper's effect: detectable or not at this many seeds.
    static func detection(paper: Double, detectable: Double) -> String {
        let effect = String(format: "%+.1f", paper), mde = String(format: "%.2f", 100 * detectable)
        return 100 * detectable <= abs(paper)
            ? " (an effect of \(effect) points would have been detected: MDE \(mde) points at 80 % power)"
            : " (too few seeds to detect the paper's \(effect) points: MDE \(mde) points at 80 % power)"
    }
}

extension PairedDifference {
    /// "+0.35 [−1.04, +1.74]": an interval of accuracy fractions, in percentage points.
    package var pointsText: String {
        func pp(_ x: Double) -> String { x.isFinite ? String(format: "%+.2f", 100 * x) : "–" }
        return "\(pp(mean)) [\(pp(lower)), \(pp(upper))]"
    }
}
