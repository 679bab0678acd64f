import Foundation
import Synchronization

/// A second thread for fine-grained splits of one run's work, such as the two halves of a
/// product taken at every training step.
///
/// Between jobs it spins for a short while (``spinSeconds``) so that a job posted soon after
/// the last starts within a microsecond — a sleeping thread takes tens of microseconds to
/// wake, as long as the half product itself — and then parks until the next job. Create one
/// for a run on a machine with a core to spare (`ptv train`), not per task of a parallel sweep.
@available(macOS 15, *)
public final class SpinningWorker: @unchecked Sendable {
    /// How long the worker spins for the next job before it parks.
    public static let spinSeconds = 200e-6

    private enum State: Int {
        case idle = 0, posted, stopping, stopped, parked
    }
    // `job` is written by the posting thread before the releasing store of `.posted` and read by
    // the worker after its acquiring load, so the two threads never touch it at once.
    private let state = Atomic<Int>(State.idle.rawValue)
    private var job: (() -> Void)?
    private let wake = DispatchSemaphore(value: 0)
    private var running = false

    public init() {
        running = true
        let thread = Thread { [self] in loop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { stop() }

    /// Run `background` on the worker and `foreground` on the caller's thread; return when both
    /// are done. Not reentrant: one caller at a time.
    public func perform(_ background: @escaping () -> Void, alongside foreground: () -> Void) {
        job = background
        post(.posted)
        foreground()
        while state.load(ordering: .acquiring) == State.posted.rawValue {}
        job = nil
    }

    /// Stop the thread and wait until it has left its loop (idempotent).
    public func stop() {
        guard running else { return }
        while state.load(ordering: .acquiring) == State.posted.rawValue {}
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
                job?()
                state.store(State.idle.rawValue, ordering: .releasing)
                spinStart = DispatchTime.now().uptimeNanoseconds
            case .stopping:
                state.store(State.stopped.rawValue, ordering: .releasing)
                return
            default:
                polls += 1
                guard polls % 64 == 0 else { continue }
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
