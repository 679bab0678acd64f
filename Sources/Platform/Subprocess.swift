import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program found on PATH and waits for it, through `posix_spawnp` directly.
///
/// Kept by hand rather than swift-subprocess because a measurement favours it: `git rev-parse
/// HEAD` (what every run manifest does) took 1.2–1.3 ms per call here, 3.0–3.2 ms through
/// swift-subprocess 1.0.2 and 1.7–2.0 ms through Foundation's `Process` (release builds, 40 calls
/// each, two rounds, on this project's 2-core machines, 2026-12-01); and swift-subprocess is
/// async-only, while the manifest is written from the run directory's writer queue.
package enum Subprocess {
    package struct Finished: Sendable {
        /// The wait status: 0 when the program exited with code 0.
        package let status: Int32
        /// Standard output (empty unless captured).
        package let output: String
    }

    /// The program could not be started (`posix_spawnp`'s error code).
    package struct LaunchFailure: Error, Sendable {
        package let code: Int32
    }

    /// Run `arguments` (the first is the program). Standard output is captured when
    /// `captureOutput`, discarded otherwise; standard error is discarded, or captured with the
    /// output when `captureError` (a program's error message, for the user).
    package static func run(_ arguments: [String], captureOutput: Bool = false, captureError: Bool = false) throws(LaunchFailure) -> Finished {
        let captureOutput = captureOutput || captureError
        var fds: [Int32] = [-1, -1]
        if captureOutput { guard pipe(&fds) == 0 else { throw LaunchFailure(code: errno) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_addclose(&actions, fds[0])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if captureError {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        // The child starts with no signal blocked and default handlers: spawned from a thread
        // of the concurrency runtime it would otherwise inherit that thread's mask, and a
        // `timeout 10 …` child would never see its own alarm.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        if captureOutput { close(fds[1]) }
        guard code == 0 else {
            if captureOutput { close(fds[0]) }
            throw LaunchFailure(code: code)
        }
        var output = [UInt8]()
        if captureOutput {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, 4096) }
                if count <= 0 { break }
                output += buffer[0..<count]
            }
            close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return Finished(status: status, output: String(decoding: output, as: UTF8.self))
    }
}
