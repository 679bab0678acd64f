import ArgumentParser
import Foundation
import NumericsCore
import Platform
import RunStore
import Sweeps
import TransferModel
import Validation
import Vocabulary

/// `ptv`: run, bound and judge the parameter-transfer theory of arXiv 2509.22056.
@main
struct PTV: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptv",
        abstract: "Executable companion to 'Towards Understanding Feature Learning in Parameter Transfer'.",
        subcommands: [Train.self, Validate.self, BoundsCommand.self, ProveCommand.self, ProofsCommand.self,
                      Sweep.self, PhaseCommand.self, CompareCommand.self, AuditCommand.self, DeepCommand.self, BenchCommand.self])

    /// Parse, run, and map failures to exit codes: 2 for bad input or usage, the command's own
    /// code otherwise.
    /// The most command-line arguments read: the parser's work grows faster than their number
    /// (6 000 `--assume` took about a minute), and no command needs more.
    static let largestArgumentCount = 1_000

    static func main() async {
        BLASKernels.restartWithPreferredKernels()  // first: it replaces the process when it acts
        BLAS.useSingleThread()  // parallelism lives across runs, or in a run's own worker thread
        BLAS.stopIdleThreads()  // before any other thread exists
        guard CommandLine.arguments.count - 1 <= largestArgumentCount else {
            FileHandle.standardError.write(Data("error: \(CommandLine.arguments.count - 1) command-line arguments; at most \(largestArgumentCount) are read\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as UserFacingError {
            // The one mapping from errors to what the user sees (docs/architecture.md, errors).
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            // --help, --version and explicit exits (the parser wraps a help request in its own error type).
            if error is ExitCode || error is CleanExit || exitCode(for: error) == .success { exit(withError: error) }
            if exitCode(for: error) == .validationFailure {
                // One line, like every other refusal; the usage is a --help away.
                let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
                let names = configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() }
                let help = CommandLine.arguments.dropFirst().first.flatMap { names.contains($0) ? "ptv \($0) --help" : nil } ?? "ptv --help"
                FileHandle.standardError.write(Data("error: \(text) (see \(help))\n".utf8))
                Foundation.exit(2)
            }
            // An error type that does not say how it reaches the user: a defect of the tool
            // (the CLI tests fail on this line), never shown with its type's name.
            FileHandle.standardError.write(Data("error: unclassified failure; please report it with the command line\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// Bad input that is not a config field: a missing file, an unwritable folder, a bad option value.
struct InputError: UserFacingError, CustomStringConvertible {
    let description: String
    var message: String { description }
    init(_ description: String) { self.description = description }

    /// `--out` must name a folder: an empty path would write into the current one.
    static func requireFolder(_ out: String) throws {
        guard !out.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--out must name a folder (an empty path would write into the current folder)")
        }
    }
}

/// The options of the commands that run many experiments into a report folder (`validate`,
/// `audit`): how many at once, progress lines, and replacing an earlier report.
struct ReportRunOptions: ParsableArguments {
    @Option(name: .long, help: "Parallel runs (default: the number of cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "No progress lines on stderr.")
    var quiet = false

    @Flag(name: .long, help: "Replace an earlier report in the output folder (without it, such a folder is refused).")
    var force = false

    func validate() throws {
        guard (1...1024).contains(workers) else {
            throw ValidationError("--workers: \(workers) is outside the allowed range: an integer in [1, 1024]")
        }
    }
}

/// `--max-memory GB`: the memory a command may plan to use (default: the machine's, from
/// /proc/meminfo); a run estimated above it is refused before anything is allocated.
struct MemoryLimit: ParsableArguments {
    @Option(name: .customLong("max-memory"), help: "Memory limit in GB for what the command runs at once (default: the machine's memory).")
    var gigabytes: Double?

    func validate() throws {
        if let gigabytes, !(gigabytes > 0 && gigabytes.isFinite) {
            throw ValidationError("--max-memory must be a number of GB > 0 (got \(gigabytes))")
        }
    }

    /// The limit in bytes.
    var bytes: Double { gigabytes.map { $0 * 1e9 } ?? ResourceEstimate.machineMemory ?? 8e9 }
}

/// `--slurm [--tasks N] [--sbatch-args='…']`: hand the work to Slurm as a job array (README
/// "Sweeps on a cluster"); shared by `ptv sweep` and `ptv validate`.
struct ClusterOptions: ParsableArguments {
    @Flag(name: .long, help: "Submit to Slurm as a job array of --tasks shards instead of running here; prints the job id(s).")
    var slurm = false

    @Option(name: .long, help: "With --slurm: array tasks, one shard each (default 4).")
    var tasks = 4

    @Option(name: .long, help: "With --slurm: extra sbatch arguments, split at spaces; write --sbatch-args='--partition=short --time=1:00:00' (with '=').")
    var sbatchArgs: String?

    /// The extra `sbatch` arguments.
    var extraArguments: [String] { sbatchArgs.map { $0.split(separator: " ").map(String.init) } ?? [] }

    /// Submit `command` + `--shard {task}/N` as an array of `tasks` tasks, and `command` +
    /// `--from-shards --force` as a judging job once every task has succeeded; prints the two
    /// job ids. The batch scripts and the tasks' logs go to `folder`.
    func submitWithJudge(name: String, command: [String], cpus: Int, folder: URL, output: URL, quiet: Bool) throws {
        let arrayScript = folder.appendingPathComponent("\(name).sbatch"), judgeScript = folder.appendingPathComponent("judge.sbatch")
        try ResultFile.write(SlurmArray.script(name: "ptv-\(name)", tasks: tasks, cpus: cpus, logs: folder,
                                               command: command + ["--shard", "{task}/\(tasks)"]), to: arrayScript)
        try ResultFile.write(SlurmArray.script(name: "ptv-judge", tasks: 1, cpus: cpus, logs: folder,
                                               command: command + ["--from-shards", "--force"]), to: judgeScript)
        let job = try SlurmArray.submit(arrayScript, arguments: extraArguments)
        let judge = try SlurmArray.submit(judgeScript, arguments: extraArguments + ["--dependency=afterok:\(job)"])
        print("\(job) \(judge)")
        if !quiet {
            Progress.line("submitted job array \(job) (\(tasks) tasks writing \(folder.path)/<task>.sqlite) and judging job \(judge), which writes \(output.path)/index.html once every task succeeded")
        }
    }

    func validate() throws {
        guard slurm || sbatchArgs == nil else { throw ValidationError("--sbatch-args needs --slurm") }
        guard (1...SweepShard.largestCount).contains(tasks) else {
            throw ValidationError("--tasks: \(tasks) is outside the allowed range: an integer in [1, \(SweepShard.largestCount)]")
        }
    }
}

/// `--shard i/N` and `--from-shards` of a suite run on a cluster (`ptv validate`, `ptv audit`):
/// what each array task and the judging job of ``ClusterOptions/submitWithJudge`` run. The shard
/// stores live in `<out>/shards/`.
struct ShardOptions: ParsableArguments {
    @Option(name: .long, help: "Run only share i of N (i/N) of the runs into <out>/shards/i.sqlite, without judging (what each array task does).")
    var shard: String?

    @Flag(name: .long, help: "Judge with the runs in <out>/shards/*.sqlite (what the judging job does); runs missing there are trained.")
    var fromShards = false

    /// `<out>/shards`.
    static func folder(_ output: URL) -> URL { output.appendingPathComponent("shards") }

    /// The share `--shard` names, and its store `<out>/shards/i.sqlite` (created with its folder).
    func shardStore(output: URL) throws -> (part: SweepShard, store: SweepStore)? {
        guard let shard else { return nil }
        let part = try SweepShard(parsing: shard), folder = Self.folder(output)
        try SystemFile.makeFolder(folder.path)
        return (part, try SweepStore(url: folder.appendingPathComponent("\(part.index).sqlite")))
    }
}

/// `--ladder 2,4,8 [--chase-configurations K] [--chase failing|all]` (`validate`, `audit`): the
/// ladder of constants a suite's failures are chased up (docs/theory.md §8b).
struct LadderOptions: ParsableArguments {
    @Option(name: .long, help: "Rungs of C above the suite's, e.g. 2,4,8: every statement violated, undecided or blocked at the suite's C is chased up them (default: the suite's ladder:, else none).")
    var ladder: String?

    @Option(name: .customLong("chase-configurations"), help: "How many of a chased statement's worst configurations are lifted to each rung (default \(ConstantLadder.defaultConfigurations)).")
    var configurations: Int?

    @Option(name: .long, help: "failing (default): chase what is violated, undecided or blocked at the suite's C; all: every statement.")
    var chase = "failing"

    func validate() throws {
        guard ["failing", "all"].contains(chase) else { throw ValidationError("--chase: '\(chase)' is not allowed (failing, all)") }
    }

    /// The ladder in force for `suite`: the options over the suite's `ladder:`; nil for none.
    func ladder(suite: ValidationSuite) throws -> ConstantLadder? {
        let rungs = try ladder.map { try ConstantLadder.parse($0, field: "--ladder") } ?? suite.ladder
        guard !rungs.isEmpty else {
            if configurations != nil || chase != "failing" { throw InputError("--chase-configurations and --chase need a ladder (--ladder or the suite's ladder:)") }
            return nil
        }
        let result = ConstantLadder(rungs: rungs, configurationsPerStatement: configurations ?? ConstantLadder.defaultConfigurations, chaseAll: chase == "all")
        try result.check(above: suite.constants["C"] ?? 1, field: ladder == nil ? "ladder" : "--ladder")
        return result
    }
}
