import ArgumentParser
import Bounds
import Foundation
import Platform
import Sweeps
import TransferModel
import Validation
import Vocabulary


/// `ptv bounds`: every quantity and condition of docs/theory.md §6 for one configuration.
struct BoundsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounds",
        abstract: "Evaluate the theory's quantities, conditions and predictions for a configuration.",
        discussion: """
            Prints every quantity of docs/theory.md §6 (value, error estimate, formula, provenance, section), \
            every condition per task (lhs, rhs, holds / fails / indeterminate), the predicted regime and \
            test error, d* (closed form and root finding) and the sensitivities ∂Γ/∂α, ∂Γ/∂N1, ∂Γ/∂‖u‖. \
            Constants come from the config's `constants:` map (defaults: C = C1 = C2 = C3 = Cprime = kappa = 1).
            """)

    @Option(name: .long, help: "The experiment configuration (YAML). With --lift it may be repeated: configurations of one d lifted together, sharing d, η, η₂, σ₀ and T.")
    var config: [String]

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    @Flag(name: .long, help: "Print a runnable YAML configuration that satisfies every condition at --C with the same Λ₁, Λ₂ (docs/theory.md §6a).")
    var lift = false

    @Option(name: .customLong("C"), help: "With --lift: the conditions' constant C to lift to (default 1).")
    var constant: Double = 1

    @OptionGroup var theory: TheoryOption

    func validate() throws {
        guard constant > 0 && constant.isFinite else { throw ValidationError("--C must be a finite number > 0 (got \(constant))") }
        guard !config.isEmpty && (config.count == 1 || lift) else { throw ValidationError("give one --config (several only with --lift)") }
    }

    func run() async throws {
        try await Theory.$current.withValue(try theory.load()) { try await report() }
    }

    private func report() async throws {
        let configs = try config.map { try ExperimentConfig.load(from: URL(fileURLWithPath: $0)) }
        if lift {
            print(try await ConfigurationLift(configs, constant: constant).yaml, terminator: "")
            return
        }
        let cfg = configs[0]
        let report = TheoryReport(configuration: cfg.numericValues, constants: cfg.effectiveConstants)
        print(json ? JSONValue.object(report.jsonObject).prettyText : report.text)
    }
}

/// `ptv prove`: the log-linear certificate checker.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove a claim from hypotheses by multiplying powers of them, or say it cannot be verified.",
        discussion: """
            Hypotheses and claim are comparisons between products of powers of positive quantities, \
            e.g. --assume 'x >= y^2' --assume 'y >= z^3' --claim 'x >= z^6'. Exit 0 with a certificate \
            when proved, 1 when it cannot be verified, 2 on a malformed expression.
            """)

    @Option(name: .customLong("assume"), parsing: .unconditionalSingleValue, help: "A hypothesis (repeatable; may start with -).")
    var assumptions: [String] = []

    @Option(name: .long, parsing: .unconditional, help: "The claim to prove (may start with -).")
    var claim: String

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        guard assumptions.count <= LogLinearProver.largestHypothesisCount else {
            throw InputError("--assume: \(assumptions.count) hypotheses; at most \(LogLinearProver.largestHypothesisCount) are combined")
        }
        var hypotheses: [Relation] = []
        for (i, text) in assumptions.enumerated() {
            do { hypotheses.append(try Relation(parsing: text)) } catch {
                throw InputError("--assume #\(i + 1) '\(InputText.excerpt(text))': \(error)")
            }
        }
        let goal: Relation
        do { goal = try Relation(parsing: claim) } catch {
            throw InputError("--claim '\(InputText.excerpt(claim))': \(error)")
        }
        let outcome = LogLinearProver.prove(goal, from: hypotheses)
        switch outcome {
        case .proved(let certificate):
            if json {
                let factors: [JSONValue] = zip(certificate.hypotheses, certificate.powers).map {
                    ["hypothesis": $0.0.printed().json, "power": $0.1.description.json, "power_value": $0.1.doubleValue.json]
                }
                let proof: JSONValue = ["proved": true, "claim": goal.printed().json,
                                        "certificate": ["factors": factors.json, "verified": certificate.verify().json,
                                                        "assumed_positive": certificate.atoms.json, "text": certificate.description.json]]
                print(proof.prettyText)
            } else {
                print("proved: \(goal.printed())")
                print("  \(certificate.description)")
                print("  (re-verified in exact rational arithmetic; every identifier is taken to be positive)")
            }
        case .cannotVerify(let reason):
            if json {
                print((["proved": false, "claim": goal.printed().json, "reason": reason.json] as JSONValue).prettyText)
            } else {
                print("cannot verify: \(goal.printed())")
                print("  \(reason)")
            }
            throw ExitCode(1)
        }
    }
}

/// `ptv proofs`: the statement files of docs/theory.md §7.
struct ProofsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proofs",
        abstract: "Work with the statement files in proofs/.",
        subcommands: [ProofsCheckCommand.self])
}

/// `ptv proofs check`: load and validate every statement file, print the dependency graph.
struct ProofsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load and validate every statement file and print the dependency graph.")

    @Option(name: .long, help: "The directory of statement files.")
    var proofs: String = "proofs"

    func run() throws {
        let library: ProofLibrary
        do { library = try ProofLibrary.load(directory: proofs, probes: Set(Probe.catalog.keys)) } catch {
            for p in error.problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) }
            throw InputError("\(error.problems.count) problem(s) in \(proofs)")
        }
        let theory = library.theory
        print("\(library.statements.count) statements in \(proofs), all valid; theory: \(theory.quantities.count) quantities, \(theory.conditions.count) conditions per task")
        for s in library.statements.sorted(by: { $0.id < $1.id }) {
            print("  \(s.id) [\(s.provenance.rawValue)] probe: \(s.probe); \(s.hypotheses.count) hypotheses, \(s.claims.count) claim(s)")
        }
        print("")
        print("Dependency graph (depth, statement, <- statements it uses):")
        print(library.dependencyGraph.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
    }
}

/// `--proofs DIR` for commands that evaluate the theory: the theory file of a proofs folder
/// (`DIR/theory.yaml`) replaces the shipped one, so an edited Γ changes what they compute.
struct TheoryOption: ParsableArguments {
    @Option(name: .customLong("proofs"), help: "A proofs folder whose theory.yaml replaces the shipped theory (docs/theory.md §6).")
    var folder: String?

    /// The theory to evaluate: the folder's, or the shipped one.
    func load() throws -> Theory {
        guard let folder else { return Theory.standard }
        let directory = try ProjectFiles.folder(folder, default: "proofs", option: "--proofs")
        let file = directory.appendingPathComponent(Theory.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw InputError("--proofs: \(InputText.excerpt(folder)) has no \(Theory.fileName)")
        }
        do { return try Theory.load(file: file, displayPath: (folder as NSString).appendingPathComponent(Theory.fileName)) } catch {
            for problem in error.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            throw InputError("\(error.problems.count) problem(s) in \(InputText.excerpt(folder))/\(Theory.fileName)")
        }
    }
}

/// The theory files that predict on a phase diagram: the theory in use (shipped, or --proofs) and
/// every theory file of --candidates (the shipped proofs/candidates by default).
struct PredictingTheories: ParsableArguments {
    @OptionGroup var theory: TheoryOption

    @Option(name: .long, help: "A folder of candidate theory files to predict with as well (default: the shipped proofs/candidates).")
    var candidates: String?

    /// The theory in use, and every predicting file by name (the theory in use first).
    func load() throws -> (current: Theory, named: [PhaseDiagram.NamedTheory]) {
        let current = try theory.load()
        let named = [PhaseDiagram.NamedTheory(name: theory.folder.map { ($0 as NSString).appendingPathComponent(Theory.fileName) } ?? "proofs/\(Theory.fileName)",
                                              theory: current)] + (try candidateTheories())
        return (current, named)
    }

    /// Every *.yaml theory file of --candidates (the shipped candidates by default), by name.
    private func candidateTheories() throws -> [PhaseDiagram.NamedTheory] {
        let folder = try candidates.map { try ProjectFiles.folder($0, default: "", option: "--candidates") }
            ?? ProofLibrary.bundledDirectory.appendingPathComponent("candidates")
        let label = candidates ?? "proofs/candidates"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.map { file in
            let path = (label as NSString).appendingPathComponent(file)
            do { return .init(name: path, theory: try Theory.load(file: folder.appendingPathComponent(file), displayPath: path)) } catch let error as ProofLoadError {
                for problem in error.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
                throw InputError("--candidates: \(error.problems.count) problem(s) in \(InputText.excerpt(path))")
            }
        }
    }
}
