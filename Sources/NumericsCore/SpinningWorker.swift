import Foundation
import Synchronization

/// A second thread for fine-grained splits of one run's work, such as the two halves of a
/// product taken at every training step.
///
/// Between jobs it spins for a short while (`spinSeconds`, 200 µs, yielding the core to any other
/// runnable thread as it goes) so that a job posted soon after the last starts within a microsecond — a sleeping thread takes tens of microseconds to
/// wake, as long as the half product itself — and then parks until the next job. Create one
/// for a run on a machine with a core to spare (`ptv train`), not per task of a parallel sweep,
/// and call ``stop()`` when the run is done (the thread holds the worker until then).
///
/// This is the one piece of parallel work below structured concurrency: `ptv bench` measures an
/// `async let` child task per product at 1.3–1.9× the worker's time (docs/architecture.md,
/// "Concurrency"). `@unchecked Sendable` because its mutable fields are shared between two
/// threads without a lock: `job` is handed over by the orderings of `state` (below), and
/// `running` is touched only by the owner, in `init` and ``stop()``.
public final class SpinningWorker: @unchecked Sendable {
    /// How long the worker spins for the next job before it parks.
    static let spinSeconds = 200e-6

    private enum State: Int {
        case idle = 0, posted, running, stopping, stopped, parked
    }
    // `job` is written by the posting thread before the releasing store of `.posted` and read by
    // the worker after its acquiring load, so the two threads never touch it at once.
    private let state = Atomic<Int>(State.idle.rawValue)
    private var job: (() -> Void)?
    private let wake = DispatchSemaphore(value: 0)
    private var running = false

    /// Makes OpenBLAS single-threaded (``BLAS/useSingleThread()``): the worker is the run's second thread.
    public init() {
        BLAS.useSingleThread()
        running = true
        let thread = Thread { [self] in loop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Run `background` on the worker and `foreground` on the caller's thread; return when both
    /// are done. If the worker has not picked `background` up by the time `foreground` is done
    /// (say, the system gave its core to another thread), the caller takes it back and runs it
    /// itself rather than wait. Not reentrant: one caller at a time.
    func perform(_ background: @escaping () -> Void, alongside foreground: () -> Void) {
        job = background
        post(.posted)
        foreground()
        let (reclaimed, _) = state.compareExchange(expected: State.posted.rawValue, desired: State.idle.rawValue,
                                                   ordering: .acquiringAndReleasing)
        if reclaimed {
            background()
        } else {
            while state.load(ordering: .acquiring) == State.running.rawValue {}
        }
        job = nil
    }

    /// Stop the thread and wait until it has left its loop (idempotent).
    public func stop() {
        guard running else { return }
        post(.stopping)
        while state.load(ordering: .acquiring) != State.stopped.rawValue {}
        running = false
    }

    /// Move idle → `next`, or parked → `next` and wake the worker.
    private func post(_ next: State) {
        let (exchanged, _) = state.compareExchange(expected: State.idle.rawValue, desired: next.rawValue,
                                                   successOrdering: .releasing, failureOrdering: .acquiring)
        if !exchanged {  // the worker parked in between
            state.store(next.rawValue, ordering: .releasing)
            wake.signal()
        }
    }

    private func loop() {
        var spinStart = DispatchTime.now().uptimeNanoseconds
        var polls = 0
        while true {
            switch State(rawValue: state.load(ordering: .acquiring)) {
            case .posted:
                let (claimed, _) = state.compareExchange(expected: State.posted.rawValue, desired: State.running.rawValue,
                                                         ordering: .acquiringAndReleasing)
                if claimed {
                    job?()
                    state.store(State.idle.rawValue, ordering: .releasing)
                }
                spinStart = DispatchTime.now().uptimeNanoseconds
            case .stopping:
                state.store(State.stopped.rawValue, ordering: .releasing)
                return
            default:
                polls += 1
                guard polls % 64 == 0 else { continue }
                sched_yield()  // let another runnable thread of the process have this core meanwhile
                if Double(DispatchTime.now().uptimeNanoseconds - spinStart) * 1e-9 > Self.spinSeconds {
                    let (parked, _) = state.compareExchange(expected: State.idle.rawValue, desired: State.parked.rawValue,
                                                            successOrdering: .acquiringAndReleasing, failureOrdering: .acquiring)
                    if parked { wake.wait() }
                    spinStart = DispatchTime.now().uptimeNanoseconds
                }
            }
        }
    }
}

/// Work split in two bands (of rows or columns), the same way whether or not a worker helps,
/// so results never depend on it: each band is computed by the same calls either way.
public enum Bands {
    /// Work below this many multiply–adds runs as one band: splitting costs more than it saves.
    public static let threshold = 1 << 20

    /// Call `body` with 0..<⌊count/2⌋ and ⌊count/2⌋..<count — the second band on `worker`, at the
    /// same time, when there is one, after the first otherwise — or once with 0..<count when
    /// `operations` is below ``threshold`` or `count` < 2.
    public static func run(count: Int, operations: Int, worker: SpinningWorker?, _ body: (Range<Int>) -> Void) {
        guard count >= 2 && operations >= threshold else {
            body(0..<count)
            return
        }
        let split = count / 2
        pair({ body(0..<split) }, { body(split..<count) }, worker: worker)
    }

    /// Run `first` on the caller's thread and `second` on `worker` at the same time, or both in
    /// turn (`first`, then `second`) when there is no worker.
    public static func pair(_ first: () -> Void, _ second: () -> Void, worker: SpinningWorker?) {
        guard let worker else {
            first()
            second()
            return
        }
        withoutActuallyEscaping(second) { second in worker.perform(second, alongside: first) }
    }
}
