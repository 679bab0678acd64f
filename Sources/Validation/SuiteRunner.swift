import Foundation
import NumericsCore
import RunStore
import TransferModel
import Vocabulary

/// Runs every (configuration, seed) of a suite, in parallel across runs with OpenBLAS
/// single-threaded inside each, and hands each finished run to a callback (so a caller can
/// store it before the next finishes).
public struct SuiteRunner: Sendable {
    public let suite: ValidationSuite
    public let workers: Int

    /// Run only the jobs whose position in run order is `index` modulo `count` (one array task's
    /// share on a cluster; README "Validation on a cluster"); all of them when nil.
    package let share: WorkShare?

    package init(suite: ValidationSuite, workers: Int = ProcessInfo.processInfo.activeProcessorCount, share: WorkShare? = nil) {
        self.suite = suite
        self.workers = max(1, workers)
        self.share = share
    }

    /// (configuration index, seed) pairs in run order (of the share, when one is set).
    public var jobs: [(Int, UInt64)] {
        let all = suite.configurations.indices.flatMap { c in suite.seeds.map { (c, $0) } }
        return share?.select(all) ?? all
    }

    /// Run all jobs (`ParallelRuns`); `finished` is called with each run, in completion order,
    /// and the count done so far. Returns the runs in job order.
    public func run(finished: (RunMeasurements, Int) throws -> Void) async throws -> [RunMeasurements] {
        try await run(archive: nil) { measured, done, _ in try finished(measured, done) }
    }

    /// As ``run(finished:)``; a run that `archive` holds is taken from it instead of trained
    /// (`finished` is told so), and every run trained is recorded in it as it finishes.
    public func run(archive: (any RunArchive)?, finished: (RunMeasurements, Int, Bool) throws -> Void) async throws -> [RunMeasurements] {
        let jobs = self.jobs.map { (configuration: suite.configurations[$0.0], seed: $0.1) }
        var results = [RunMeasurements?](repeating: nil, count: jobs.count)
        var done = 0
        try await ParallelRuns.run(jobs, workers: workers, { job -> (RunMeasurements, stored: Bool) in
            var config = job.configuration.config
            config.seed = job.seed
            if var stored = try archive?.recorded(config) {
                stored.label = job.configuration.label
                return (stored, true)
            }
            let outcomes = try await TransferExperiment(config: config).run()
            return (RunMeasurements(label: job.configuration.label, seed: job.seed, phases: outcomes.map { PhaseMeasurements($0) }), false)
        }, onResult: { index, result in
            let (measured, stored) = result
            if !stored, let archive {
                var config = jobs[index].configuration.config
                config.seed = jobs[index].seed
                try archive.record(measured, of: config)
            }
            results[index] = measured
            done += 1
            try finished(measured, done, stored)
        })
        return results.compactMap { $0 }
    }
}
