import ArgumentParser
import Bounds
import Foundation
import NumericsCore
import Platform
import RunStore
import Sweeps
import TransferModel
import Vocabulary

/// `ptv phase`: SVG phase diagrams from a sweep store.
struct PhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase",
        abstract: "Draw phase diagrams (SVG) of a sweep store over two config keys, with predicted boundaries and a fitted slope.",
        discussion: """
        Writes negative_transfer.svg (the sign of transfer − scratch test error where its 99 % interval over seeds \
        excludes 0, with each theory file's Γ(α) = Γ(0) curve and the measured Γ̂(α) = Γ̂(0) contour), \
        gamma_hat_ratio.svg, transfer_error.svg, scratch_error.svg, difference.svg, benign_transfer.svg, \
        benign_scratch.svg, summary.json and index.html into --out. The theory files are the theory in use \
        (shipped, or --proofs) and every theory file in --candidates; for each, the page gives the fraction of \
        decisive cells whose predicted sign matches the measured one. \
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

    func validate() throws {
        try InputError.requireFolder(out)
        if let beside, !FileManager.default.fileExists(atPath: beside) {
            throw ValidationError("--beside: no store at \(InputText.excerpt(beside))")
        }
    }

    @Option(name: .long, help: "Benign threshold τ: a cell is benign when its test error ≤ p + τ (default 0.1).")
    var threshold: Double = 0.1

    @OptionGroup var theories: PredictingTheories

    @Option(name: .long, help: "A second store over the same axes (e.g. a finite-size sweep), drawn into <out>/beside and put on the left of <out>/side-by-side.html.")
    var beside: String?

    func run() throws {
        let (current, named) = try theories.load()
        try Theory.$current.withValue(current) { try draw(theories: named) }
    }

    private func draw(theories: [PhaseDiagram.NamedTheory]) throws {
        let right = try side(store: store, field: "--store", folder: out, relative: ".", theories: theories)
        guard let beside else { return }
        let left = try side(store: beside, field: "--beside", folder: (out as NSString).appendingPathComponent("beside"),
                            relative: "beside", theories: theories)
        let page = try PhaseComparison(left: left, right: right).document
        let folder = URL(fileURLWithPath: out)
        do {
            try ResultFile.write(page.html, to: folder.appendingPathComponent("side-by-side.html"))
            try ResultFile.write(page.markdown, to: folder.appendingPathComponent("side-by-side.md"))
        } catch let error as ResultFile.WriteError {
            throw InputError("--out: \(error.message)")
        }
        print("side by side: \(folder.appendingPathComponent("side-by-side.html").path)")
    }

    /// One store's diagram: drawn into `folder`, summarised on standard output.
    private func side(store: String, field: String, folder path: String, relative: String,
                      theories: [PhaseDiagram.NamedTheory]) throws -> PhaseComparison.Side {
        let runs = try SweepStore(url: URL(fileURLWithPath: store), create: false, field: field).runs()
        let diagram = try PhaseDiagram(runs: runs, x: x, y: y, threshold: threshold)
        let benign = diagram.benignBoundary()  // the predicted curve, computed once
        let fit = diagram.slopeFit(benign: benign)
        let transfer = try diagram.transferSummary(theories: theories)
        let files = try diagram.render(benign: benign, fit: fit, transfer: transfer)
        let folder = URL(fileURLWithPath: path)
        do {
            try SystemFile.makeFolder(folder.path)
            for (name, text) in files { try ResultFile.write(text, to: folder.appendingPathComponent(name)) }
        } catch let error as SystemFile.Failure {
            throw InputError("--out: \(error.message)")
        } catch let error as ResultFile.WriteError {
            throw InputError("--out: \(error.message)")
        }
        print("phase diagram of \(store), \(x) × \(y): \(diagram.xs.count) × \(diagram.ys.count) cells, \(diagram.seeds.count) seeds")
        print(PhaseDiagram.slopeText(fit))
        for line in transfer.findings(diagram) { print(line) }
        if let c1 = fit.impliedC1 { print(String(format: "Γ(α) along the empirical boundary (implied C1): %.3g; C1 used for the drawn curve: %.3g", c1, diagram.c1)) }
        print("written: \(files.keys.sorted().joined(separator: ", ")) in \(path)")
        return PhaseComparison.Side(diagram: diagram, fit: fit, transfer: transfer, files: files, folder: relative)
    }
}
