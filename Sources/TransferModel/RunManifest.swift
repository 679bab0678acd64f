import Foundation
import NumericsCore
import Platform

/// Provenance of a run: what ran, on what, with which seed and generator (written as
/// `manifest.json` next to every result).
public struct RunManifest {
    package var config: [String: JSONValue]
    public var seed: UInt64?
    var commandLine: [String]
    public var started: Date
    public var finished: Date?
    /// How the run's Gaussian vectors were drawn (``SampleSpace/description(of:)``), when known.
    public var sampler: String?

    package init(config: [String: JSONValue], seed: UInt64?, commandLine: [String] = CommandLine.arguments, started: Date = Date()) {
        self.config = config
        self.seed = seed
        self.commandLine = commandLine
        self.started = started
    }

    package var jsonObject: [String: JSONValue] {
        let iso = RunManifest.iso8601
        var object: [String: JSONValue] = [
            "config": config.json,
            "generator": SeededGenerator.algorithm.json,
            "test_sets": TransferExperiment.testSetDescription.json,
            "git_commit": RunManifest.gitDescription.json,
            "swift_version": RunManifest.swiftVersion.json,
            "gsl_version": GSL.version.json,
            "openblas": BLAS.configuration.json,
            "blas_kernels": BLASKernels.current.json,
            "command_line": commandLine.json,
            "started": iso(started).json,
            "finished": finished.map(iso).json,
        ]
        if let seed { object["seed"] = seed.json }
        if let sampler { object["sampler"] = sampler.json }
        // The peak resident memory of the process when the run finished (bytes).
        if finished != nil, let peak = ProcessMemory.peakResidentBytes { object["peak_resident_bytes"] = peak.json }
        return object
    }

    /// A date as UTC ISO 8601 to the second, e.g. "2026-11-29T01:23:45Z" (the format of
    /// Foundation's ISO8601DateFormatter, without loading ICU or locale data for it).
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2))T"
            + "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2))Z"
    }

    /// The Swift compiler this binary was built with (major.minor, from compile-time checks).
    static let swiftVersion: String = {
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
    static let gitDescription: String = {
        let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
        guard let description = run(["git", "-C", sourceDirectory, "describe", "--always", "--dirty", "--abbrev=40",
                                     "--exclude=*"]), !description.isEmpty else { return "unknown" }
        return description
    }()

    /// Standard output of a program found on PATH, trimmed; nil when it cannot start or exits
    /// non-zero.
    private static func run(_ arguments: [String]) -> String? {
        guard let finished = try? Subprocess.run(arguments, captureOutput: true), finished.status == 0 else { return nil }
        return finished.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
