import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NumericsCore

/// Provenance of a run: what ran, on what, with which seed and generator (written as
/// `manifest.json` next to every result).
public struct RunManifest {
    public var config: [String: Any]
    public var seed: UInt64?
    public var commandLine: [String]
    public var started: Date
    public var finished: Date?

    public init(config: [String: Any], seed: UInt64?, commandLine: [String] = CommandLine.arguments, started: Date = Date()) {
        self.config = config
        self.seed = seed
        self.commandLine = commandLine
        self.started = started
    }

    public var jsonObject: [String: Any] {
        let iso = RunManifest.iso8601
        var object: [String: Any] = [
            "config": config,
            "generator": SeededGenerator.algorithm,
            "test_sets": TransferExperiment.testSetDescription,
            "git_commit": RunManifest.gitDescription,
            "swift_version": RunManifest.swiftVersion,
            "gsl_version": GSL.version,
            "openblas": BLAS.configuration,
            "command_line": commandLine,
            "started": iso(started),
            "finished": finished.map(iso) ?? NSNull(),
        ]
        if let seed { object["seed"] = seed }
        return object
    }

    /// A date as UTC ISO 8601 to the second, e.g. "2026-11-29T01:23:45Z" (the format of
    /// Foundation's ISO8601DateFormatter, without loading ICU for it).
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// The Swift compiler this binary was built with (major.minor, from compile-time checks).
    public static let swiftVersion: String = {
        #if compiler(>=6.3)
        return "6.3 or later"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()

    /// The commit (full hash) of the source tree this binary was built from, with "-dirty" when
    /// tracked files have uncommitted changes (one `git describe`, tags ignored); "unknown" when
    /// git or the tree is unavailable.
    public static let gitDescription: String = {
        let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        guard let description = run(["git", "-C", sourceDirectory, "describe", "--always", "--dirty", "--abbrev=40",
                                     "--exclude=*"]), !description.isEmpty else { return "unknown" }
        return description
    }()

    /// Run a program found on PATH and return its standard output, nil when it cannot start or
    /// exits non-zero. Spawned with `posix_spawnp` directly: Foundation's `Process` costs about
    /// 50 ms per call on Linux, which dominated short runs.
    private static func run(_ arguments: [String]) -> String? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        close(fds[1])
        guard status == 0 else { close(fds[0]); return nil }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, 4096) }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(fds[0])
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, 0) == -1 && errno == EINTR {}
        guard exitStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// JSON output helpers shared by every writer: sorted keys, pretty printed, atomic writes,
/// non-finite numbers written as `null` (JSON has no NaN) rather than silently dropped.
public enum JSONOutput {
    public static func data(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: sanitized(object), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    public static func write(_ object: Any, to url: URL) throws {
        var data = try data(object)
        data.append(0x0A)
        try data.write(to: url, options: .atomic)
    }

    static func sanitized(_ value: Any) -> Any {
        switch value {
        case let x as Double: return x.isFinite ? x : NSNull()
        case let dictionary as [String: Any]: return dictionary.mapValues(sanitized)
        case let array as [Any]: return array.map(sanitized)
        default: return value
        }
    }
}
