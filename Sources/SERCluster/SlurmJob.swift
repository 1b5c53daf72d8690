import Foundation
import SERCore
import SERExperiment

/// One job of a submission and its sbatch script.
public struct SlurmJob: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Fills the feature cache of one (corpus, feature spec).
        case features
        /// An array job: task `i` runs fold `i` of one run.
        case folds
        /// Writes one run's metrics once every fold is done.
        case finish
        /// The suite's `serlab compare` table.
        case compare
    }

    /// What a job waits for (`afterok`): a job of the same submission (by position) or one already in the
    /// queue (a Slurm id such as "123" or an array task "123_4").
    public enum Dependency: Sendable, Equatable {
        case job(Int)
        case queued(String)
    }

    public var kind: Kind
    /// `--job-name`, e.g. "serlab-folds-mlp_savee".
    public var name: String
    /// The run folder of folds and finish jobs.
    public var run: URL?
    /// Array task indices (= fold indices) of a folds job.
    public var arrayIndices: [Int] = []
    public var dependencies: [Dependency] = []
    public var settings: SlurmSettings
    public var cpus: Int
    /// The serlab command line (without the binary).
    public var arguments: [String]

    /// The log file name; %A, %a and %j are Slurm's (array job id, task index, job id).
    public var logName: String { kind == .folds ? "\(name)-%A_%a.out" : "\(name)-%j.out" }

    /// `0-3,5,7-9` for the array.
    public static func arraySpec(_ indices: [Int]) -> String {
        var parts: [String] = []
        var start: Int?, last: Int?
        for index in indices.sorted() {
            if let previous = last, index == previous + 1 { last = index; continue }
            if let first = start, let end = last { parts.append(first == end ? "\(first)" : "\(first)-\(end)") }
            start = index
            last = index
        }
        if let first = start, let end = last { parts.append(first == end ? "\(first)" : "\(first)-\(end)") }
        return parts.joined(separator: ",")
    }
}

/// Where and how the scripts of a submission run.
public struct SlurmScriptContext: Sendable {
    /// The serlab binary every job runs: a path all nodes see.
    public var binary: String
    /// The folder jobs start in (the submitting shell's): relative config paths mean what they meant there.
    public var workingDirectory: String
    /// The submission's folder: scripts and logs.
    public var folder: URL
    /// Variables exported in every script (SERLAB_CORPORA and SERLAB_FOLDS as the submitter had them).
    public var environment: [(String, String)]

    public init(binary: String, workingDirectory: String, folder: URL, environment: [(String, String)]) {
        self.binary = binary
        self.workingDirectory = workingDirectory
        self.folder = folder
        self.environment = environment
    }
}

extension SlurmJob {
    /// The sbatch script. `dependencyID` names each dependency in `--dependency=afterok:...` (a real id
    /// at submission, a placeholder such as `<features-1>` for `--dry-run`).
    public func script(context: SlurmScriptContext, dependencyID: (Dependency) -> String) -> String {
        var directives = ["--job-name=\(name)", "--output=\(context.folder.appendingPathComponent(logName).path)", "--ntasks=1",
                          "--cpus-per-task=\(cpus)", "--time=\(settings.time)"]
        if kind == .folds { directives.append("--array=\(SlurmJob.arraySpec(arrayIndices))") }
        if !dependencies.isEmpty {
            directives.append("--dependency=afterok:" + dependencies.map(dependencyID).joined(separator: ":"))
            // A failed or cancelled dependency cancels this job instead of leaving it pending forever.
            directives.append("--kill-on-invalid-dep=yes")
        }
        if let partition = settings.partition { directives.append("--partition=\(partition)") }
        if let memory = settings.memory { directives.append("--mem=\(memory)") }
        if let account = settings.account { directives.append("--account=\(account)") }
        directives += settings.extraDirectives
        var lines = ["#!/bin/bash"] + directives.map { "#SBATCH \($0)" }
        lines.append("# serlab \(serlabVersion): \(summary)")
        lines.append("set -euo pipefail")
        lines += settings.setup
        lines.append("cd \(shellQuoted(context.workingDirectory))")
        for (key, value) in context.environment { lines.append("export \(key)=\(shellQuoted(value))") }
        var command = ([context.binary] + arguments).map(shellQuoted)
        if kind == .folds { command += ["--fold", "\"$SLURM_ARRAY_TASK_ID\""] }
        lines.append("exec " + command.joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line saying what the job does.
    public var summary: String {
        switch kind {
        case .features: return "features into the shared cache"
        case .folds: return "folds \(SlurmJob.arraySpec(arrayIndices)) of \(run?.path ?? "?")"
        case .finish: return "metrics of \(run?.path ?? "?") once every fold is done"
        case .compare: return "the suite's comparison table"
        }
    }
}

/// `'text'` for the shell, with `'` escaped; plain words stay bare.
func shellQuoted(_ text: String) -> String {
    let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=:,+@%")
    if !text.isEmpty, text.unicodeScalars.allSatisfy(plain.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
