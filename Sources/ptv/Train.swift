import ArgumentParser
import Foundation
import NumericsCore
import Platform
import Synchronization
import TransferModel

/// `ptv train`: upstream run, Algorithm 1 and the scratch baseline for one config.
struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train upstream, transfer (Algorithm 1) and scratch on one config and write the results.",
        discussion: """
        Writes metrics.json, trajectory-{upstream,transfer,scratch}.csv and manifest.json into \
        the output folder, phase by phase (an interrupted run keeps the phases it finished). \
        Without --config, every key takes its documented default (see README.md).
        """)

    @Option(name: .long, help: "YAML config (keys of docs/theory.md §1; missing keys take defaults).")
    var config: String?

    @Option(name: .long, help: "Output folder (created if needed).")
    var out: String

    func validate() throws { try InputError.requireFolder(out) }

    @Flag(name: .long, help: "Also write the data and filters of each phase as .npy arrays under arrays/.")
    var saveArrays = false

    @Flag(name: .long, help: "No progress lines on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Replace the results of an earlier run in the output folder (without it, such a folder is refused).")
    var force = false

    @OptionGroup var memory: MemoryLimit

    func run() async throws {
        let experimentConfig = try config.map { try ExperimentConfig.load(from: URL(fileURLWithPath: $0)) } ?? ExperimentConfig()
        let estimate = ResourceEstimate(experimentConfig, savingArrays: saveArrays)
        try estimate.check(limit: memory.bytes)
        ProcessMemory.prepareHeap()  // one run in this process: reuse freed memory, huge pages
        // Each phase's files are written as soon as it is scored, before the next phase trains.
        var directory = try RunDirectory(url: URL(fileURLWithPath: out), config: experimentConfig,
                                         saveArrays: saveArrays, replacing: force)
        try directory.start()
        if !quiet {
            Progress.line(String(format: "estimate: at most %@ of memory, %.2g multiply–adds of training",
                                 ResourceEstimate.format(estimate.total()), estimate.multiplyAdds))
        }
        let quiet = self.quiet
        let throttle = ProgressThrottle(interval: .seconds(2))
        var experiment = TransferExperiment(config: experimentConfig)
        experiment.parallelWithinRun = true  // one run: use the second core for its independent steps and half products
        try await experiment.run(
            progress: { phase, step in
                // Long phases report at most every 2 s; short ones only when they finish.
                if !quiet && throttle.due() { Progress.line("\(phase.rawValue): step \(step)") }
            },
            onPhase: { outcome in
                try directory.write(outcome)
                if !quiet {
                    Progress.line(String(format: "%@ done: train loss %.4g, test error %.4f (clean %.4f), %.2f s",
                                         outcome.phase.rawValue, outcome.run.trainScore.loss, outcome.testScore.error,
                                         outcome.testScore.cleanError, outcome.run.seconds))
                }
            })
        try directory.finish()
        print("results written to \(out)")
    }
}

enum Progress {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// "At most one progress line every `interval`", callable from any task (phases may train at
/// once).
final class ProgressThrottle: Sendable {
    private let interval: Duration
    private let last = Mutex(ContinuousClock.now)

    init(interval: Duration) { self.interval = interval }

    /// Whether a line is due now (and if so, the clock restarts).
    func due() -> Bool {
        last.withLock { last in
            let now = ContinuousClock.now
            guard now - last >= interval else { return false }
            last = now
            return true
        }
    }
}
