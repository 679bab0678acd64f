import ArgumentParser
import Bounds
import Foundation
import Platform
import Validation
import Vocabulary

/// `ptv compare`: candidate theories judged on the same recorded runs, side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Judge two or more theories on the same recorded runs and show them side by side.",
        discussion: """
            Each --proofs is a proofs folder (its statements and theory.yaml) or a theory file \
            (e.g. proofs/candidates/learning.yaml, judged with the statements shipped with the tool). The runs come \
            from a finished report (--runs, written by ptv validate with the same --suite); nothing \
            is trained. Writes index.html, comparison.md and comparison.json: verdicts, fitted \
            constants with their spread, and how well each Γ orders the measured Γ̂ (docs/theory.md §6c).
            """)

    @Option(name: .long, help: "quick (default), full, finite-size, or a suite YAML file: the suite the runs were recorded with.")
    var suite = "quick"

    @Option(name: .long, help: "A proofs folder or a theory file (give it two or more times).")
    var proofs: [String]

    @Option(name: .long, help: "A finished report folder whose runs/ holds the suite's runs.")
    var runs: String

    @Option(name: .long, help: "Output folder for the comparison.")
    var out: String

    @Flag(name: .long, help: "Replace an earlier comparison in the output folder.")
    var force = false

    func validate() throws {
        guard proofs.count >= 2 else { throw ValidationError("--proofs: give at least two theories to compare") }
        try InputError.requireFolder(out)
    }

    func run() throws {
        let validationSuite = try ValidationSuite.load(from: try ProjectFiles.suite(suite))
        let recorded = try validationSuite.recordedRuns(in: try ProjectFiles.folder(runs, default: "", option: "--runs"))
        var libraries: [(name: String, library: ProofLibrary)] = []
        for path in proofs {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw InputError("--proofs: '\(InputText.excerpt(path))' is neither a proofs folder nor a theory file")
            }
            // A theory file is named by its stem; a folder's theory.yaml by the folder.
            let file = (path as NSString).lastPathComponent
            let name = file == Theory.fileName ? ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent
                : (file as NSString).deletingPathExtension
            do {
                if isFolder.boolValue {
                    libraries.append((name, try ProofLibrary.load(directory: path, probes: Set(Probe.catalog.keys))))
                } else {
                    let theory = try Theory.load(file: URL(fileURLWithPath: path), displayPath: path)
                    // With the statements shipped with the tool.
                    libraries.append((name, try ProofLibrary.load(directory: ProofLibrary.bundledDirectory.path,
                                                                  probes: Set(Probe.catalog.keys), theory: theory)))
                }
            } catch {
                for problem in error.problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
                throw InputError("\(error.problems.count) problem(s) in \(InputText.excerpt(path))")
            }
        }
        let comparison = try TheoryComparison(suite: validationSuite, runs: recorded, libraries: libraries)
        try comparison.write(to: URL(fileURLWithPath: out), replacing: force)
        for side in comparison.sides {
            let rho = side.rankAgreement.map { String(format: "%.3f", $0) } ?? "—"
            let counts = Dictionary(grouping: side.judgements, by: \.verdict.rawValue).mapValues(\.count)
            print("\(side.name): Spearman ρ(Γ, Γ̂) = \(rho); " + counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        }
        print("comparison: \(URL(fileURLWithPath: out).appendingPathComponent("index.html").path)")
    }
}
