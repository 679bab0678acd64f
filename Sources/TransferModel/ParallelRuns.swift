import NumericsCore

/// The one way the package runs independent experiments in parallel (suites, sweeps): Swift
/// structured concurrency, a task group with at most `workers` child tasks, each run
/// single-threaded with OpenBLAS held to one thread. Results reach `onResult` on the caller's
/// task, in completion order, as each finishes (so a caller can store it before the next). A
/// thrown error cancels the runs not yet started and is rethrown.
///
/// Inside one run, `ptv train` may use a second core through `SpinningWorker` and a few
/// `Deferred` values: those are per-step hand-overs of a few microseconds, where a task hop
/// would cost more than the work (see the README's `ptv train` section).
public enum ParallelRuns {
    public static func run<Job: Sendable, Output: Sendable>(
        _ jobs: [Job], workers: Int, _ body: @escaping @Sendable (Job) throws -> Output,
        onResult: (Int, Output) throws -> Void
    ) async throws {
        BLAS.useSingleThread()
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var next = 0
            func launch() {
                let index = next, job = jobs[index]
                next += 1
                group.addTask { (index, try body(job)) }
            }
            while next < jobs.count && next < max(1, workers) { launch() }
            while let (index, output) = try await group.next() {
                try onResult(index, output)
                if next < jobs.count { launch() }
            }
        }
    }
}
