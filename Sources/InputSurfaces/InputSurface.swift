import Bounds
import DeepExperiments
import DeepNetworks
import Foundation
import NumericsCore
import Platform
import RunStore
import Sweeps
import TransferModel
import Validation
import Vocabulary

/// Every reader of input a user supplies, as one call each: the targets of the fuzz harness
/// (the `ptv-fuzz` libFuzzer target and the property-based tests of `InputSurfaceTests`).
///
/// Reading never crashes, never traps and never hangs: it accepts the input or refuses it with a
/// one-line message. ``read(_:)`` reports which, and ``Outcome/isWellFormed`` is the property
/// the harness asserts. The file surfaces (image files, checkpoints, stores, output paths) work
/// in a private folder of their own under the temporary folder, and the output-path surface also
/// checks that nothing outside that folder was touched.
package enum InputSurface: String, CaseIterable, Sendable {
    /// A bounds-language relation (`--claim`, hypotheses, claims in statement files).
    case relation
    /// A claim proved from the hypotheses before it, one per line (`ptv prove`).
    case proof
    /// Definitions `name = expression`, one per line.
    case definitions
    /// An experiment config (`ptv train --config`, `ptv bounds --config`).
    case config
    /// A sweep grid (`ptv sweep --grid`).
    case grid
    /// A validation suite (`ptv validate --suite`).
    case suite
    /// A statement file of proofs/ (`ptv proofs check`).
    case statement
    /// A theory file (`proofs/theory.yaml`, `--proofs`).
    case theory
    /// A deep config (`ptv deep train --config`).
    case deepConfig
    /// A deep suite (`ptv validate --suite` with `kind: deep`).
    case deepSuite
    /// An IDX image file and its label file (`--data`), the bytes split at the first 0xFF 0xFE.
    case idx
    /// A CIFAR-10 binary batch (`--data` with `dataset: cifar10`).
    case cifar
    /// A safetensors checkpoint (`ptv deep train --init-from`).
    case checkpoint
    /// A run store file (`--store` of sweep export, phase, deep suites).
    case store
    /// An output path inside a folder holding a FIFO, a folder and a link to a file outside it.
    case outputPath
    /// A long list: 2 bytes give its length (up to 65 535, where a quadratic check would take
    /// seconds), the next picks seeds, an axis or hypotheses.
    case longList

    /// What reading an input gave.
    package enum Outcome: Sendable, Equatable {
        case accepted
        case refused(String)

        /// The harness's property: a refusal is one non-empty line of at most 400 characters
        /// (input is echoed back in excerpts of at most 60).
        package var isWellFormed: Bool {
            guard case .refused(let message) = self else { return true }
            return !message.isEmpty && !message.contains("\n") && message.count <= 400
        }
    }

    /// Read text as this surface does (binary surfaces take its UTF-8 bytes).
    package func read(_ text: String) -> Outcome { read(bytes: Array(text.utf8)) }

    /// Read raw bytes as this surface does.
    package func read(bytes: [UInt8]) -> Outcome {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            switch self {
            case .relation:
                _ = try Relation(parsing: text)
            case .proof:
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                _ = try LogLinearProver.prove(claim: lines.last ?? "", assumptions: Array(lines.dropLast()))
            case .definitions:
                _ = try DefinitionSet(parsing: text)
            case .config:
                _ = try ExperimentConfig.parse(yaml: text)
            case .grid:
                _ = try SweepGrid.parse(yaml: text)
            case .suite:
                _ = try ValidationSuite.parse(yaml: text)
            case .theory:
                do { _ = try Theory.parse(yaml: text, file: "theory.yaml") } catch {
                    let messages = error.problems.map { "\($0)" }
                    return .refused(messages.first(where: { !Outcome.refused($0).isWellFormed }) ?? messages.first ?? "not a theory file")
                }
            case .statement:
                let (_, problems) = ProofLibrary.parseStatement(yaml: text, file: "fuzz.yaml")
                // `ptv proofs check` prints one line per problem: the worst-formed one is reported.
                let messages = problems.map { "\($0)" }
                if let message = messages.first(where: { !Outcome.refused($0).isWellFormed }) ?? messages.first {
                    return .refused(message)
                }
            case .deepConfig:
                _ = try DeepConfig.parse(yaml: text)
            case .deepSuite:
                _ = try DeepSuite.parse(yaml: text)
            case .idx:
                let split = Self.split(bytes)
                let folder = try Self.workspace()
                try Data(split.0).write(to: folder.appendingPathComponent("images"))
                try Data(split.1).write(to: folder.appendingPathComponent("labels"))
                _ = try ImageFiles.idx(images: folder.appendingPathComponent("images").path, labels: folder.appendingPathComponent("labels").path, field: "data")
            case .cifar:
                let file = try Self.workspace().appendingPathComponent("batch.bin")
                try Data(bytes).write(to: file)
                _ = try ImageFiles.cifar(files: [file.path], hundred: bytes.first.map { $0 & 1 == 1 } ?? false, field: "data")
            case .checkpoint:
                _ = try Checkpoint.decode(Data(bytes), field: "init-from")
            case .store:
                let file = try Self.workspace().appendingPathComponent("store.sqlite")
                for suffix in ["", "-wal", "-shm", "-journal"] { unlink(file.path + suffix) }
                try Data(bytes).write(to: file)
                let store = try SweepStore(url: file, create: false)
                _ = try store.runs()
                _ = try store.meta("grid")
            case .outputPath:
                return try Self.writeOutput(named: text)
            case .longList:
                return try Self.readLongList(bytes)
            }
            return .accepted
        } catch let error as UserFacingError {
            return .refused(error.message)
        } catch let error as ParseError {
            return .refused(error.description)   // the callers prefix the option or file
        } catch {
            return .refused("unclassified failure: \(error)")
        }
    }

    /// The private folder of this process's file surfaces (created once).
    static func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-surfaces-\(getpid())")
        try SystemFile.makeFolder(folder.path)
        return folder
    }

    /// The bytes before and after the first 0xFF 0xFE (all and none when it is absent).
    static func split(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        for i in 0..<max(bytes.count - 1, 0) where bytes[i] == 0xFF && bytes[i + 1] == 0xFE {
            return (Array(bytes[..<i]), Array(bytes[(i + 2)...]))
        }
        return (bytes, [])
    }

    /// Write a result under a name built from `text` in a folder holding a FIFO, a folder and a
    /// link to a file outside it: the write is accepted or refused in one line, the special
    /// files stay what they were, and the file outside is never created.
    static func writeOutput(named text: String) throws -> Outcome {
        let root = try workspace().appendingPathComponent("out")
        let outside = try workspace().appendingPathComponent("outside")
        try? FileManager.default.removeItem(at: root)
        unlink(outside.path)
        try SystemFile.makeFolder(root.appendingPathComponent("folder").path)
        mkfifo(root.appendingPathComponent("fifo").path, 0o644)
        symlink(outside.path, root.appendingPathComponent("link").path)
        // A name inside the folder: one of the special names, or the text's safe characters.
        let safe = String(text.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }.prefix(60))
        let names = ["fifo", "link", "folder", ".fifo.1.tmp", safe.isEmpty || safe == "." || safe == ".." ? "result" : safe]
        let name = names[Int(text.utf8.first ?? 0) % names.count]
        let outcome: Outcome
        do {
            try ResultFile.write(Data(text.utf8), to: root.appendingPathComponent(name))
            outcome = .accepted
        } catch let error as UserFacingError {
            outcome = .refused(error.message)
        }
        var info = stat()
        let fifoKept = lstat(root.appendingPathComponent("fifo").path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
        let linkKept = lstat(root.appendingPathComponent("link").path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
        guard fifoKept, linkKept, !FileManager.default.fileExists(atPath: outside.path) else {
            return .refused("escape: writing '\(name)' replaced a special file or wrote outside the folder\n")   // not well formed: a finding
        }
        return outcome
    }

    /// A grid, a suite or a proof with a list of the length the first 3 bytes give.
    static func readLongList(_ bytes: [UInt8]) throws -> Outcome {
        guard bytes.count >= 3 else { return .accepted }
        let count = Int(bytes[0]) << 8 | Int(bytes[1])
        let list = (0..<count).map { String(1000 + $0) }.joined(separator: ", ")
        switch bytes[2] % 3 {
        case 0: _ = try ValidationSuite.parse(yaml: "seeds: [\(list)]\nconfigurations:\n  - {label: a, T1: 1, T2: 1}\n")
        case 1: _ = try SweepGrid.parse(yaml: "grid: {d: [\(list)]}\nseeds: [0]\nbase: {T1: 1, T2: 1}\n")
        default:
            let hypotheses = (0..<min(count, 2_000)).map { "x\($0) >= x\($0 + 1)^2" }
            if case .cannotVerify(let reason) = LogLinearProver.prove(try Relation(parsing: "x0 >= x1"), from: try hypotheses.map { try Relation(parsing: $0) }),
               reason.contains("\n") { return .refused(reason) }
        }
        return .accepted
    }
}
