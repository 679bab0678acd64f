import Bounds
import Foundation
import Sweeps
import TransferModel
import Validation
import Vocabulary

/// Every reader of text a user writes, as one call each: the targets of the fuzz harness
/// (the `ptv-fuzz` libFuzzer target and the property-based tests of `InputSurfaceTests`).
///
/// Reading never crashes, never traps and never hangs: it accepts the text or refuses it with a
/// one-line message. ``read(_:)`` reports which, and ``Outcome/isWellFormed`` is the property
/// the harness asserts.
public enum InputSurface: String, CaseIterable, Sendable {
    /// A bounds-language relation (`--claim`, hypotheses, claims in statement files).
    case relation
    /// A claim proved from the hypotheses before it, one per line (`ptv prove`).
    case proof
    /// Definitions `name = expression`, one per line.
    case definitions
    /// An experiment config (`ptv train --config`, `ptv bounds --config`).
    case config
    /// A sweep grid (`ptv sweep --grid`).
    case grid
    /// A validation suite (`ptv validate --suite`).
    case suite
    /// A statement file of proofs/ (`ptv proofs check`).
    case statement
    /// A theory file (`proofs/theory.yaml`, `--proofs`).
    case theory

    /// What reading a text gave.
    public enum Outcome: Sendable, Equatable {
        case accepted
        case refused(String)

        /// The harness's property: a refusal is one non-empty line of at most 400 characters
        /// (input is echoed back in excerpts of at most 60).
        public var isWellFormed: Bool {
            guard case .refused(let message) = self else { return true }
            return !message.isEmpty && !message.contains("\n") && message.count <= 400
        }
    }

    /// Read `text` as this surface does.
    public func read(_ text: String) -> Outcome {
        do {
            switch self {
            case .relation:
                _ = try Relation(parsing: text)
            case .proof:
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                _ = try LogLinearProver.prove(claim: lines.last ?? "", assumptions: Array(lines.dropLast()))
            case .definitions:
                _ = try DefinitionSet(parsing: text)
            case .config:
                _ = try ExperimentConfig.parse(yaml: text)
            case .grid:
                _ = try SweepGrid.parse(yaml: text)
            case .suite:
                _ = try ValidationSuite.parse(yaml: text)
            case .theory:
                do { _ = try Theory.parse(yaml: text, file: "theory.yaml") } catch {
                    let messages = error.problems.map { "\($0)" }
                    return .refused(messages.first(where: { !Outcome.refused($0).isWellFormed }) ?? messages.first ?? "not a theory file")
                }
            case .statement:
                let (_, problems) = ProofLibrary.parseStatement(yaml: text, file: "fuzz.yaml")
                // `ptv proofs check` prints one line per problem: the worst-formed one is reported.
                let messages = problems.map { "\($0)" }
                if let message = messages.first(where: { !Outcome.refused($0).isWellFormed }) ?? messages.first {
                    return .refused(message)
                }
            }
            return .accepted
        } catch {
            return .refused("\(error)")
        }
    }
}
