import ArgumentParser
import Foundation
import SERCluster
import SERCore
import SERExperiment

/// `serlab run --slurm`'s options. The scheduling ones stand for `output.slurm.*` config values
/// (`--partition p` = `--set output.slurm.partition=p`), so they are checked and documented once.
struct SlurmOptions: ParsableArguments {
    @Flag(help: "Submit the run (or suite) to Slurm as job arrays instead of running it here; the same command again submits only what is missing.")
    var slurm = false

    @Flag(name: .customLong("dry-run"), help: "With --slurm: print the job scripts, submit nothing and write nothing.")
    var dryRun = false

    @Option(help: "With --slurm: sbatch --partition (output.slurm.partition).")
    var partition: String?

    @Option(help: "With --slurm: sbatch --time of every job, e.g. 1:00:00 (output.slurm.time).")
    var time: String?

    @Option(name: .customLong("cpus-per-task"), help: "With --slurm: sbatch --cpus-per-task (output.slurm.cpusPerTask; default training.threads).")
    var cpusPerTask: Int?

    @Option(help: "With --slurm: sbatch --mem, e.g. 4G (output.slurm.memory).")
    var mem: String?

    @Option(help: "With --slurm: sbatch --account (output.slurm.account).")
    var account: String?

    @Option(name: .customLong("sbatch"), help: ArgumentHelp("With --slurm: one more #SBATCH line, e.g. --sbatch=--qos=short (repeatable; output.slurm.extraDirectives).", valueName: "option"))
    var extraDirectives: [String] = []

    @Option(help: "With --slurm: the serlab binary the jobs run, a path every node sees (default: this binary).")
    var binary: String?

    func validate() throws {
        if !slurm, dryRun || partition != nil || time != nil || cpusPerTask != nil || mem != nil || account != nil || !extraDirectives.isEmpty || binary != nil {
            throw ValidationError("--dry-run, --partition, --time, --cpus-per-task, --mem, --account, --sbatch and --binary need --slurm")
        }
    }

    /// The options as `--set` overrides of `output.slurm`.
    var overrides: [String] {
        var result: [String] = []
        func string(_ text: String) -> String { JSONValue.string(text).compact }
        if let partition { result.append("output.slurm.partition=\(string(partition))") }
        if let time { result.append("output.slurm.time=\(string(time))") }
        if let cpusPerTask { result.append("output.slurm.cpusPerTask=\(cpusPerTask)") }
        if let mem { result.append("output.slurm.memory=\(string(mem))") }
        if let account { result.append("output.slurm.account=\(string(account))") }
        if !extraDirectives.isEmpty { result.append("output.slurm.extraDirectives=\(JSONValue.array(extraDirectives.map(JSONValue.string)).compact)") }
        return result
    }

    /// The binary jobs run: `--binary`, else this process's executable.
    var serlabBinary: String {
        if let binary { return URL(fileURLWithPath: binary).standardizedFileURL.path }
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

extension RunCommand {
    /// Prepares every run (its folder and config.resolved.json, so the jobs find it), plans the jobs
    /// that complete them and submits them (or prints them with --dry-run).
    func submitToSlurm(_ file: ConfigFile?) throws {
        let suite = try file.flatMap { $0.isSuite ? try ExperimentSuite.load($0) : nil }
        let entries: [(ConfigFile?, [String])] = try suite.map { suite in try suite.configs.map { (try ConfigFile.read($0), suite.overrides) } } ?? [(file, [])]
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path }
        var runs: [SlurmRun] = []
        for (configFile, extra) in entries {
            let all = allOverrides(extra)
            let resolved = try ConfigLoader.resolve(configFile, overrides: all)
            let runner = ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: runOptions(file: configFile), components: pipeline.components)
            let prepared = try runner.prepareRun(recording: !slurm.dryRun)
            let resultsFolder = prepared.directory.url.deletingLastPathComponent().deletingLastPathComponent()
            var arguments = configFile.map { [absolute($0.url.path)] } ?? []
            arguments += all.flatMap { ["--set", $0] }
            arguments += ["--results", absolute(resultsFolder.path), "--cache", absolute(pipeline.cache), "--run-id", prepared.runID]
            if let corpora = pipeline.corpora { arguments += ["--corpora", absolute(corpora)] }
            runs.append(SlurmRun(name: resolved.config.resolvedName, prepared: prepared, settings: resolved.config.output.slurm,
                                 threads: resolved.config.training.threads, stepArguments: arguments))
        }
        guard let first = runs.first else { return }
        let resultsFolder = first.prepared.directory.url.deletingLastPathComponent().deletingLastPathComponent()
        let batchName = suite?.name ?? first.name
        let compare = suite.map { suite in
            (arguments: ["compare"] + runs.map { absolute($0.prepared.directory.url.path) }
                + ["--output", absolute(resultsFolder.appendingPathComponent("\(suite.name)-compare.txt").path)], settings: first.settings)
        }
        let client = CommandLineSlurm()
        let records = runs.map { SlurmRecord.read($0.prepared.directory.url) }
        let queue = client.states(of: records.flatMap { $0?.jobIDs ?? [] })
        let plan = SlurmSubmissionPlan(runs: runs, records: records, queue: queue, compare: compare)
        for note in plan.notes { print(note) }
        let environment = ["SERLAB_CORPORA", "SERLAB_FOLDS"].compactMap { key in
            ProcessInfo.processInfo.environment[key].flatMap { $0.isEmpty ? nil : (key, absolute($0)) }
        }
        let folder = URL(fileURLWithPath: absolute(resultsFolder.appendingPathComponent("slurm/\(RunDirectory.newRunID(seed: 0).dropLast(2))-\(batchName)").path))
        let context = SlurmScriptContext(binary: slurm.serlabBinary, workingDirectory: cwd, folder: folder, environment: environment)
        guard !plan.jobs.isEmpty else {
            print("nothing to submit")
            return
        }
        if slurm.dryRun {
            for (position, job) in plan.jobs.enumerated() {
                print("\n# ---- \(plan.placeholder(.job(position))): \(folder.path)/\(String(format: "%02d-", position))\(job.name).sh")
                print(job.script(context: context, dependencyID: plan.placeholder), terminator: "")
            }
            print("\n(dry run: nothing submitted, nothing written)")
            return
        }
        let ids = try SlurmSubmitter(client: client, context: context).submit(plan, runs: runs, records: records)
        for (position, job) in plan.jobs.enumerated() {
            print("submitted \(job.kind.rawValue) job \(ids[position]) (\(job.name)): \(job.summary)")
        }
        print("scripts and logs: \(folder.path)\nwatch: serlab status \(resultsFolder.path)")
    }
}
