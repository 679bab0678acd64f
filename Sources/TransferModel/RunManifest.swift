import Foundation
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
        let iso = ISO8601DateFormatter()
        var object: [String: Any] = [
            "config": config,
            "generator": SeededGenerator.algorithm,
            "git_commit": RunManifest.gitDescription,
            "swift_version": RunManifest.swiftVersion,
            "gsl_version": GSL.version,
            "openblas": BLAS.configuration,
            "command_line": commandLine,
            "started": iso.string(from: started),
            "finished": finished.map { iso.string(from: $0) } ?? NSNull(),
        ]
        if let seed { object["seed"] = seed }
        return object
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

    /// `git rev-parse HEAD` of the source tree this binary was built from, with "-dirty" when
    /// it has uncommitted changes; "unknown" when git or the tree is unavailable.
    public static let gitDescription: String = {
        let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        guard let commit = run(["git", "-C", sourceDirectory, "rev-parse", "HEAD"]), !commit.isEmpty else { return "unknown" }
        let status = run(["git", "-C", sourceDirectory, "status", "--porcelain", "--untracked-files=no"]) ?? ""
        return status.isEmpty ? commit : commit + "-dirty"
    }()

    private static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
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
