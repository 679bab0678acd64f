import NumericsCore

/// The cost of handing half a product to the second core, two ways: the `SpinningWorker` that
/// `ptv train` uses inside a run, and an `async let` child task per product (the structured
/// concurrency used everywhere else). Products are a short, wide A (rows = 2m = 40) times a
/// square B, the shape of the engine's per-step product, at sizes from the split threshold
/// (`Bands.threshold`, 2²⁰ multiply–adds) up; each way is timed over the same products, best
/// of the repeats, in one process (docs/architecture.md, "Concurrency").
package struct HandOverBenchmark: Sendable {
    package struct Timing: Sendable {
        /// Multiply–adds per product.
        package let operations: Int
        /// Mean seconds per product: both bands on the caller's thread, on the worker, in a child task.
        package let oneThread: Double, worker: Double, childTask: Double
    }

    package let repeats: Int
    static let rows = 40

    package init(repeats: Int) { self.repeats = max(1, repeats) }

    /// One timing per size: 2²⁰, 2²² and 2²⁴ multiply–adds.
    package func run() async -> [Timing] {
        var timings: [Timing] = []
        for exponent in [20, 22, 24] {
            let operations = 1 << exponent
            let side = Int((Double(operations) / Double(Self.rows)).squareRoot().rounded())
            var rng = SeededGenerator(seed: 1, stream: "bench-hand-over")
            let a = Matrix(rows: Self.rows, cols: side, storage: (0..<(Self.rows * side)).map { _ in rng.gaussian() })
            let b = Matrix(rows: side, cols: side, storage: (0..<(side * side)).map { _ in rng.gaussian() })
            let top = Matrix(rows: Self.rows / 2, cols: side, storage: Array(a.storage[..<(Self.rows / 2 * side)]))
            let bottom = Matrix(rows: Self.rows / 2, cols: side, storage: Array(a.storage[(Self.rows / 2 * side)...]))
            let products = max(8, (1 << 28) / operations)
            let worker = SpinningWorker()
            let oneThread = best { _ = BLAS.product(a, b, worker: nil) }
            let onWorker = best { _ = BLAS.product(a, b, worker: worker) }
            worker.stop()
            var childTask = Double.infinity
            for _ in 0..<repeats {
                let clock = ContinuousClock(), start = clock.now
                for _ in 0..<products {
                    async let second = BLAS.product(bottom, b, worker: nil)
                    _ = BLAS.product(top, b, worker: nil)
                    _ = await second
                }
                childTask = min(childTask, start.duration(to: clock.now).inSeconds / Double(products))
            }
            timings.append(Timing(operations: Self.rows * side * side, oneThread: oneThread, worker: onWorker, childTask: childTask))

            func best(_ product: () -> Void) -> Double {
                var fastest = Double.infinity
                for _ in 0..<repeats {
                    let clock = ContinuousClock(), start = clock.now
                    for _ in 0..<products { product() }
                    fastest = min(fastest, start.duration(to: clock.now).inSeconds / Double(products))
                }
                return fastest
            }
        }
        return timings
    }
}
