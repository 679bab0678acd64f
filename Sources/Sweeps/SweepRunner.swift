import Foundation
import NumericsCore
import TransferModel

/// Runs the unfinished jobs of a grid, `workers` at a time, and stores each as it finishes.
///
/// Parallelism is across runs (`ParallelRuns`: a task group with at most `workers` child
/// tasks); each run is single-threaded, with OpenBLAS held to one thread. Finished jobs — those
/// whose key is already in the store — are skipped, so re-running a sweep resumes it.
public struct SweepRunner: Sendable {
    public let grid: SweepGrid
    public let store: SweepStore
    public let workers: Int

    /// Progress after each finished job.
    public struct Progress: Sendable {
        /// Jobs finished in this invocation, and the number it set out to run.
        public let done: Int
        public let total: Int
        /// Jobs already in the store when the sweep started.
        public let skipped: Int
        public let elapsed: Double
        /// The job that just finished and its wall time.
        public let job: SweepJob
        public let seconds: Double

        /// Remaining time estimated from the mean time per job so far (nil before the first).
        public var eta: Double? { done > 0 ? elapsed / Double(done) * Double(total - done) : nil }
    }

    public init(grid: SweepGrid, store: SweepStore, workers: Int) {
        self.grid = grid
        self.store = store
        self.workers = max(1, workers)
    }

    /// Default worker count: the number of active processor cores.
    public static var defaultWorkers: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The jobs not yet in the store.
    public func pendingJobs() throws -> [SweepJob] {
        let finished = try store.finishedKeys()
        return grid.jobs.filter { !finished.contains($0.key) }
    }

    /// Run every pending job. `onProgress` is called on the caller's task after each job.
    @discardableResult
    public func run(onProgress: (Progress) -> Void = { _ in }) async throws -> (ran: Int, skipped: Int) {
        let pending = try pendingJobs()
        let skipped = grid.jobs.count - pending.count
        let start = Date()
        let store = self.store
        var done = 0
        try await ParallelRuns.run(pending, workers: workers, { job in
            let result = try SweepResult.run(job)
            try store.insert(result)
            return result.seconds
        }, onResult: { index, seconds in
            done += 1
            onProgress(Progress(done: done, total: pending.count, skipped: skipped,
                                elapsed: Date().timeIntervalSince(start), job: pending[index], seconds: seconds))
        })
        return (pending.count, skipped)
    }
}
