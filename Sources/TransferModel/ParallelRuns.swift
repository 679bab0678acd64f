import NumericsCore

/// The one way the package runs work in parallel: Swift structured concurrency. Independent
/// experiments (suites, sweeps) run in a task group with at most `workers` child tasks, each run
/// single-threaded with OpenBLAS held to one thread; results reach `onResult` on the caller's
/// task, in completion order, as each finishes (so a caller can store it before the next). A
/// thrown error cancels the runs not yet started and is rethrown. Inside one run (`ptv train`),
/// independent steps overlap as `async let` child tasks (``pair(concurrently:_:_:)``).
///
/// One thing stays below this level: the per-step split of a large product into two bands on a
/// `SpinningWorker` (NumericsCore), a hand-over of a few microseconds that `ptv bench`
/// measures against a child task per product (docs/architecture.md, "Concurrency").
public enum ParallelRuns {
    /// Run the jobs `next` hands out (nil when there are no more), `workers` at a time. `next` is
    /// called on the caller's task whenever a worker is free, so jobs are built only as they are
    /// needed and a large grid is never held in memory.
    public static func run<Job: Sendable, Output: Sendable>(
        workers: Int, next: () throws -> Job?, _ body: @escaping @Sendable (Job) async throws -> Output,
        onResult: (Job, Output) throws -> Void
    ) async throws {
        BLAS.useSingleThread()
        try await withThrowingTaskGroup(of: (Job, Output).self) { group in
            func launch() throws -> Bool {
                guard let job = try next() else { return false }
                group.addTask { (job, try await body(job)) }
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
        _ jobs: [Job], workers: Int, _ body: @escaping @Sendable (Job) async throws -> Output,
        onResult: (Int, Output) throws -> Void
    ) async throws {
        var next = 0
        try await run(workers: workers, next: { () -> (Int, Job)? in
            guard next < jobs.count else { return nil }
            defer { next += 1 }
            return (next, jobs[next])
        }, { try await body($0.1) }, onResult: { try onResult($0.0, $1) })
    }

    /// `first` on the caller's task and `second` as a child task at the same time (`async let`)
    /// when `concurrently`, or `first` and then `second` otherwise; the values are the same
    /// either way when the two draw from their own streams.
    public static func pair<A, B: Sendable>(concurrently: Bool, _ first: () async throws -> A,
                                            _ second: @escaping @Sendable () -> B) async rethrows -> (A, B) {
        guard concurrently else { return (try await first(), second()) }
        async let other = second()
        let value = try await first()
        return (value, await other)
    }
}
