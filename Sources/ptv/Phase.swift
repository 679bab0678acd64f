import ArgumentParser
import Bounds
import Foundation
import Sweeps
import TransferModel
import Vocabulary

/// `ptv phase`: SVG phase diagrams from a sweep store.
struct PhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase",
        abstract: "Draw phase diagrams (SVG) of a sweep store over two config keys, with predicted boundaries and a fitted slope.",
        discussion: """
        Writes transfer_error.svg, scratch_error.svg, difference.svg, benign_transfer.svg, \
        benign_scratch.svg, negative_transfer.svg, summary.json and index.html into --out. \
        Every config key other than --x, --y and the seed must be constant across the store's runs, except what a grid's regime: placement sets per cell (sigma0, eta, eta2, T1, T2, record_every).
        """)

    @Option(name: .long, help: "SQLite store written by `ptv sweep`.")
    var store: String

    @Option(name: .long, help: "Config key on the horizontal axis (e.g. d).")
    var x: String

    @Option(name: .long, help: "Config key on the vertical axis (e.g. u_norm).")
    var y: String

    @Option(name: .long, help: "Output folder (created if needed).")
    var out: String

    func validate() throws { try InputError.requireFolder(out) }

    @Option(name: .long, help: "Benign threshold τ: a cell is benign when its test error ≤ p + τ (default 0.1).")
    var threshold: Double = 0.1

    @OptionGroup var theory: TheoryOption

    func run() throws {
        try Theory.$current.withValue(try theory.load()) { try draw() }
    }

    private func draw() throws {
        let runs = try SweepStore(url: URL(fileURLWithPath: store), create: false).runs()
        let diagram = try PhaseDiagram(runs: runs, x: x, y: y, threshold: threshold)
        let benign = diagram.benignBoundary()  // the predicted curve, computed once
        let fit = diagram.slopeFit(benign: benign)
        let files = try diagram.render(benign: benign, fit: fit)
        let folder = URL(fileURLWithPath: out)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in files { try ResultFile.write(text, to: folder.appendingPathComponent(name)) }
        } catch {
            throw InputError("--out: cannot write to \(out) (\(error.localizedDescription))")
        }
        print("phase diagram \(x) × \(y): \(diagram.xs.count) × \(diagram.ys.count) cells, \(diagram.seeds.count) seeds")
        print(PhaseDiagram.slopeText(fit))
        if let c1 = fit.impliedC1 { print(String(format: "Γ(α) along the empirical boundary (implied C1): %.3g; C1 used for the drawn curve: %.3g", c1, diagram.c1)) }
        print("written: \(files.keys.sorted().joined(separator: ", ")) in \(out)")
    }
}
