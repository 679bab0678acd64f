import Foundation
@testable import NumericsCore
import Testing

/// The second thread that splits one run's products: every job runs exactly once, results do
/// not depend on whether it helped, and it parks and wakes between distant jobs.
struct SpinningWorkerTests {
    /// 20 000 hand-overs, each job writing its own slot: every slot written exactly once.
    @Test func everyJobRunsOnce() {
        let worker = SpinningWorker()
        defer { worker.stop() }
        let jobs = 20_000
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * jobs)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let base = SendableCounts(pointer: counts.baseAddress!)
        for j in 0..<jobs {
            worker.perform({ base.pointer[2 * j + 1] += 1 }, alongside: { base.pointer[2 * j] += 1 })
        }
        #expect(counts.allSatisfy { $0 == 1 })
    }

    /// Jobs spaced well beyond the spinning time reach a parked worker, which must wake for them.
    @Test func parkedWorkerWakes() {
        let worker = SpinningWorker()
        var done = 0
        let counter = SendableCounts(pointer: UnsafeMutablePointer<Int>.allocate(capacity: 1))
        counter.pointer.initialize(to: 0)
        for _ in 0..<5 {
            usleep(useconds_t(SpinningWorker.spinSeconds * 20e6))
            worker.perform({ counter.pointer.pointee += 1 }, alongside: { done += 1 })
        }
        worker.stop()
        worker.stop()  // idempotent
        #expect(counter.pointer.pointee == 5 && done == 5)
        counter.pointer.deallocate()
    }

    /// The banded product C + A·B equals a triple loop (to 1e-12 relative), and is the same bit
    /// for bit with or without the worker, for shapes below and above the 2²⁰ threshold.
    @Test(arguments: [(3, 4, 5), (40, 201, 201), (41, 300, 97), (2, 1024, 600)])
    func bandedProductDoesNotDependOnTheWorker(shape: (Int, Int, Int)) {
        let (rows, inner, cols) = shape
        BLAS.useSingleThread()  // as in every run: both sides on the same (single-threaded) kernels
        var rng = SeededGenerator(seed: 7, stream: "banded")
        let a = Matrix(rows: rows, cols: inner, storage: rng.gaussians(count: rows * inner))
        let b = Matrix(rows: inner, cols: cols, storage: rng.gaussians(count: inner * cols))
        let start = Matrix(rows: rows, cols: cols, storage: rng.gaussians(count: rows * cols))
        let alone = BLAS.product(a, b, adding: start, worker: nil)
        let worker = SpinningWorker()
        let helped = BLAS.product(a, b, adding: start, worker: worker)
        let plain = BLAS.product(a, b, worker: worker)
        worker.stop()
        #expect(alone == helped)
        #expect(plain == BLAS.product(a, b, worker: nil))
        var worst = 0.0
        for i in 0..<rows {
            for j in 0..<cols {
                var sum = start[i, j], scale = abs(start[i, j])
                for k in 0..<inner { sum += a[i, k] * b[k, j]; scale += abs(a[i, k] * b[k, j]) }
                worst = max(worst, abs(alone[i, j] - sum) / scale)
            }
        }
        #expect(worst <= 1e-12)
    }
}

/// A raw pointer handed to the worker's jobs in these tests (each job writes its own slots).
private struct SendableCounts: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
}
