import Foundation
import Testing

/// Runs the built `ptv` executable as a whole process, the way a user does.
enum CLI {
    /// The folder holding the built products (`ptv` sits next to the test bundle).
    static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("ptv").path) {
            url = url.deletingLastPathComponent()
        }
        return url
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Run `ptv` with `arguments` and wait for it; `environment` entries replace the inherited ones.
    /// Every run's standard error is checked for what a user must never see (``leaks(_:)``).
    static func run(_ arguments: [String], environment: [String: String] = [:],
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let process = try launch(arguments, environment: environment)
        let stdout = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let stderr = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                            stderr: String(decoding: stderr, as: UTF8.self))
        #expect(leaks(result.stderr) == nil, "\(leaks(result.stderr) ?? "") in: \(result.stderr.prefix(400))", sourceLocation: sourceLocation)
        return result
    }

    /// What an error message must never contain, found in `text`: a Swift error's bridged
    /// description ("… error 1", "…Domain"), errno 0's "(success)", a module-qualified type name,
    /// or the tool's own marker of an error type that does not say how it reaches the user.
    static func leaks(_ text: String) -> String? {
        let patterns = [#"Error error \d"#, #"[A-Za-z]Domain\b"#, #"\(success\)"#, #"unclassified failure"#,
                        #"\b(Vocabulary|NumericsCore|Bounds|TransferModel|Validation|Sweeps|DeepNetworks|DeepExperiments|Reports|Foundation|Swift|GRDB|Yams)\.[A-Z][A-Za-z]+"#]
        for pattern in patterns {
            if let range = text.range(of: pattern, options: .regularExpression) { return "leaked '\(text[range])'" }
        }
        return nil
    }

    /// Run another program to the end: standard output captured, standard error through a file
    /// (a chatty program cannot fill a pipe and stall), everything it writes kept in `home`
    /// (HOME and the XDG folders point there).
    static func runTool(_ path: String, _ arguments: [String], home: URL) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["HOME": home.path, "XDG_CONFIG_HOME": home.path, "XDG_CACHE_HOME": home.path, "XDG_DATA_HOME": home.path]) { $1 }
        let errors = home.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let stdout = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: stderr)
    }

    /// Start `ptv` without waiting (output goes to pipes).
    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("ptv")
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }

    /// Start `ptv` without waiting, its standard error going to the file `stderrTo`.
    static func launch(_ arguments: [String], stderrTo url: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("ptv")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: url)
        try process.run()
        return process
    }

    /// Kill loop: run `ptv` `times` times, each killed with SIGKILL at a moment drawn from a fixed
    /// pseudo-random schedule (`seed`) between 20 ms and `window` ms after its start; `inspect`
    /// gets the attempt's number, its `out` folder and its standard error.
    static func killRepeatedly(times: Int, seed: UInt64, window milliseconds: UInt64, in dir: URL,
                               arguments: (URL) -> [String], inspect: (Int, URL, String) throws -> Void) throws {
        var state = seed
        for k in 0..<times {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let out = dir.appendingPathComponent("out\(k)")
            let log = dir.appendingPathComponent("stderr\(k)")
            let process = try launch(arguments(out), stderrTo: log)
            usleep(UInt32(20_000 + (state >> 33) % (milliseconds * 1000)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try inspect(k, out, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }

    struct LimitedResult {
        let status: Int32
        let stdout: String
        let stderr: String
        let timedOut: Bool
    }

    /// Run `ptv` under an address-space limit (`ulimit -v`, as a user with a memory quota has),
    /// killing it after `seconds`. Output goes through files, so a flood cannot block the child.
    static func runLimited(_ arguments: [String], addressSpaceGiB: Int, seconds: Double) throws -> LimitedResult {
        // Standard error is checked for leaked type names like every run's (``leaks(_:)``).
        let folder = temporaryDirectory("limited")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stdoutURL = folder.appendingPathComponent("stdout"), stderrURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(addressSpaceGiB << 20) && exec \"$0\" \"$@\"",
                             productsDirectory.appendingPathComponent("ptv").path] + arguments
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let result = LimitedResult(status: process.terminationStatus,
                                   stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
                                   stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "", timedOut: timedOut)
        #expect(leaks(result.stderr) == nil, "\(leaks(result.stderr) ?? "") in: \(result.stderr.prefix(400))")
        return result
    }

    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-tests-\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// A copy of the package's proofs/ under `folder`, with `old` replaced by `new` in `file`.
    static func proofsCopy(in folder: URL, editing file: String, replacing old: String, with new: String) throws -> URL {
        let proofs = folder.appendingPathComponent("proofs")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("proofs").resolvingSymlinksInPath(), to: proofs)
        let url = proofs.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        precondition(text.contains(old), "\(file) does not contain \(old)")
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
        return proofs
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    /// Run one of the package's Python scripts (scripts/NAME) and return its exit status and output.
    static func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("scripts/\(script)").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Whether `python3` with NumPy is available for the independent replays.
    static let hasNumPy: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
}
