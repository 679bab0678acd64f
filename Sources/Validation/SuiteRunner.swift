import Dispatch
import Foundation
import NumericsCore
import TransferModel

/// Runs every (configuration, seed) of a suite, in parallel across runs with OpenBLAS
/// single-threaded inside each, and hands each finished run to a callback (so a caller can
/// store it before the next finishes).
public struct SuiteRunner: Sendable {
    public let suite: ValidationSuite
    public let workers: Int

    public init(suite: ValidationSuite, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.suite = suite
        self.workers = max(1, workers)
    }

    /// (configuration index, seed) pairs in run order.
    public var jobs: [(Int, UInt64)] {
        suite.configurations.indices.flatMap { c in suite.seeds.map { (c, $0) } }
    }

    /// Run all jobs; `finished` is called (serially) with each run and the count done so far.
    public func run(finished: @escaping @Sendable (RunMeasurements, Int) -> Void) throws -> [RunMeasurements] {
        BLAS.useSingleThread()
        let jobs = self.jobs
        let results = Results(count: jobs.count)
        let queue = DispatchQueue(label: "ptv.suite.results")
        let semaphore = DispatchSemaphore(value: workers)
        let group = DispatchGroup()
        for (index, job) in jobs.enumerated() {
            semaphore.wait()
            group.enter()
            let configuration = suite.configurations[job.0]
            DispatchQueue.global().async {
                defer { semaphore.signal(); group.leave() }
                var config = configuration.config
                config.seed = job.1
                do {
                    let outcomes = try TransferExperiment(config: config).run()
                    let measured = RunMeasurements(label: configuration.label, seed: job.1,
                                                   phases: outcomes.map { PhaseMeasurements($0) })
                    queue.sync {
                        results.values[index] = measured
                        results.done += 1
                        finished(measured, results.done)
                    }
                } catch {
                    queue.sync { results.error = error }
                }
            }
        }
        group.wait()
        if let error = results.error { throw error }
        return results.values.compactMap { $0 }
    }

    private final class Results: @unchecked Sendable {  // guarded by `queue`
        var values: [RunMeasurements?]
        var done = 0
        var error: (any Error)?
        init(count: Int) { values = Array(repeating: nil, count: count) }
    }
}
