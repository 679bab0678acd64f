import Foundation

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

    /// Run `ptv` with `arguments` and wait for it.
    static func run(_ arguments: [String]) throws -> Result {
        let process = try launch(arguments)
        let stdout = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
        let stderr = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Start `ptv` without waiting (output goes to pipes).
    static func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("ptv")
        process.arguments = arguments
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
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
