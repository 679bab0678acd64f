import Foundation
import NumericsCore
import Platform
import Vocabulary

/// Work handed to Slurm as a job array (README "Sweeps on a cluster"): ptv writes the batch
/// script and submits it; Slurm schedules the tasks, and each task runs one shard. ptv does no
/// scheduling of its own.
package enum SlurmArray {
    /// Refuse (field `slurm`, exit 2) when `sbatch` is not on PATH or the controller does not answer.
    package static func checkReachable() throws {
        // Bounded: without a config file, sinfo looks for a controller through DNS for about a minute.
        let finished: Subprocess.Finished
        do { finished = try Subprocess.run(["timeout", "10", "sinfo", "-h", "-o", "%P"], captureError: true) } catch {
            throw ConfigError(field: "slurm", "no Slurm here: timeout(1) is not on PATH")
        }
        guard finished.status >> 8 != 127 else {
            throw ConfigError(field: "slurm", "no Slurm here: sinfo is not on PATH (install Slurm's client commands, or run without --slurm)")
        }
        guard finished.status >> 8 != 124 else { throw ConfigError(field: "slurm", "the Slurm controller did not answer within 10 s (sinfo)") }
        guard finished.status == 0 else {
            let message = finished.output.split(separator: "\n").first.map(String.init) ?? "exit status \(finished.status)"
            throw ConfigError(field: "slurm", "the Slurm controller does not answer (sinfo: \(InputText.excerpt(message)))")
        }
    }

    /// A batch script for an array of `tasks` tasks: each runs `command` with `{task}` replaced
    /// by `$SLURM_ARRAY_TASK_ID`, with `cpus` CPUs, writing its output to `logs/slurm-<job>_<task>.out`.
    package static func script(name: String, tasks: Int, cpus: Int, logs: URL, command: [String]) -> String {
        func quoted(_ word: String) -> String {
            word == "{task}" ? "\"$SLURM_ARRAY_TASK_ID\"" : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        let line = command.map { $0.contains("{task}") && $0 != "{task}"
            ? quoted($0).replacingOccurrences(of: "{task}", with: "'\"$SLURM_ARRAY_TASK_ID\"'") : quoted($0) }.joined(separator: " ")
        return """
        #!/bin/bash
        # Written by ptv: one task per shard; resubmit some tasks with `sbatch --array=2,5 <this file>`.
        #SBATCH --job-name=\(name)
        #SBATCH --array=0-\(tasks - 1)
        #SBATCH --cpus-per-task=\(cpus)
        #SBATCH --output=\(logs.path)/slurm-%A_%a.out
        exec \(line)

        """
    }

    /// Submit `script` with the extra `sbatch` arguments; returns the job id. A refusal by
    /// `sbatch` is a `ConfigError` (field `slurm`) with its message.
    package static func submit(_ script: URL, arguments: [String]) throws -> String {
        let finished: Subprocess.Finished
        do { finished = try Subprocess.run(["sbatch", "--parsable"] + arguments + [script.path], captureError: true) } catch {
            throw ConfigError(field: "slurm", "sbatch is not on PATH")
        }
        let output = finished.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let id = output.split(separator: "\n").last.map { String($0.split(separator: ";")[0]) } ?? ""
        guard finished.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ConfigError(field: "slurm", "sbatch refused the job: \(InputText.excerpt(output))")
        }
        return id
    }

    /// The state of each array task Slurm still knows (PENDING, RUNNING, COMPLETED, CANCELLED, …),
    /// by task index; empty when the controller has forgotten the job or does not answer.
    package static func states(job: String) -> [Int: String] {
        guard let finished = try? Subprocess.run(["squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%K %T"], captureOutput: true),
              finished.status == 0 else { return [:] }
        var states: [Int: String] = [:]
        for line in finished.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let task = Int(fields[0]) { states[task] = String(fields[1]) }
        }
        return states
    }

    /// The absolute path of the running executable (what the batch script runs).
    package static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
