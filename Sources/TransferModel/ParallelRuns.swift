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
    /// Run the jobs `next` hands out (nil when there are no more), `workers` at a time. `next` is
    /// called on the caller's task whenever a worker is free, so jobs are built only as they are
    /// needed and a large grid is never held in memory.
    public static func run<Job: Sendable, Output: Sendable>(
        workers: Int, next: () throws -> Job?, _ body: @escaping @Sendable (Job) throws -> Output,
        onResult: (Job, Output) throws -> Void
    ) async throws {
        BLAS.useSingleThread()
        try await withThrowingTaskGroup(of: (Job, Output).self) { group in
            func launch() throws -> Bool {
                guard let job = try next() else { return false }
                group.addTask { (job, try body(job)) }
                return true
            }
            var started = 0
            while started < max(1, workers), try launch() { started += 1 }
            while let (job, output) = try await group.next() {
                try onResult(job, output)
                _ = try launch()
            }
        }
    }

    /// Run every job of a list; `onResult` receives the job's index in the list.
    public static func run<Job: Sendable, Output: Sendable>(
        _ jobs: [Job], workers: Int, _ body: @escaping @Sendable (Job) throws -> Output,
        onResult: (Int, Output) throws -> Void
    ) async throws {
        var next = 0
        try await run(workers: workers, next: { () -> (Int, Job)? in
            guard next < jobs.count else { return nil }
            defer { next += 1 }
            return (next, jobs[next])
        }, { try body($0.1) }, onResult: { try onResult($0.0, $1) })
    }
}
