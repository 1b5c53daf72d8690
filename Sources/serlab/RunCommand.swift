import ArgumentParser
import Foundation
import SERExperiment

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment config (or a suite of them) and write its results folder.",
        usage: "serlab run [<config>] [<options>]",
        discussion: """
        With no config, runs the embedded default: a small synthetic corpus serlab generates itself \
        (no download), so a fresh machine can check the whole pipeline in a minute or two. Its outputs \
        say plainly that the data is synthetic.

        A run killed at any point resumes when started again with the same config: finished folds are \
        kept, half-written ones are recomputed. Use --fresh to start over.

        Examples:
          serlab run
          serlab run configs/lstm_ravdess.json --set training.epochs=5
          serlab run experiments/tess_models.json
          serlab run experiments/savee_models.json --slurm --partition short
        """)

    @Argument(help: "A config file, a suite (a JSON object with a \"configs\" list) or a late fusion (a \"fusion\" list of member configs). Omit for the synthetic default.")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one value, e.g. training.epochs=5 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @Option(name: .customLong("run-id"), help: "Name of the run folder (default: <UTC yyyyMMdd-HHmmss>-<seed>); an unfinished run with this id is resumed.")
    var runID: String?

    @Flag(help: "Start a new run even when an unfinished run of the same config exists.")
    var fresh = false

    @Flag(name: .customLong("save-models"), help: "Keep each fold's trained model as a checkpoint (same as output.saveModels=true).")
    var saveModels = false

    @Option(help: "Results folder (default: the config's output.directory).")
    var results: String?

    @OptionGroup var pipeline: PipelineOptions

    @OptionGroup(title: "Slurm (docs/cluster.md)") var slurm: SlurmOptions

    func validate() throws {
        try PipelineOptions.validate(overrides: overrides)
        try slurm.validate()
    }

    func run() throws {
        try failing {
            if slurm.slurm {
                try submitToSlurm(config.map { try ConfigFile.read(URL(fileURLWithPath: $0)) })
                return
            }
            guard let config else {
                try runOne(file: nil, extraOverrides: [])
                return
            }
            // Read and parsed once: the same JSON says whether it is a suite and is then resolved.
            let file = try ConfigFile.read(URL(fileURLWithPath: config))
            if file.isFusion {
                let fusion = try LateFusion.load(file)
                var options = RunOptions()
                options.runID = runID
                options.fresh = fresh
                options.resultsDirectory = results.map { URL(fileURLWithPath: $0, isDirectory: true) }
                options.cacheDirectory = pipeline.cacheDirectory
                options.configDirectory = file.url.deletingLastPathComponent()
                print("fusion \(fusion.name): \(fusion.members.count) members" + (fusion.description.isEmpty ? "" : " — \(fusion.description)"))
                _ = try fusion.run(options: options, components: pipeline.components, commandLineOverrides: overrides)
            } else if file.isSuite {
                let suite = try ExperimentSuite.load(file)
                print("suite \(suite.name): \(suite.configs.count) configs" + (suite.description.isEmpty ? "" : " — \(suite.description)"))
                var rows: [(String, RunSummary)] = []
                for configURL in suite.configs {
                    print("\n== \(configURL.lastPathComponent)")
                    rows.append((configURL.deletingPathExtension().lastPathComponent,
                                 try runOne(file: ConfigFile.read(configURL), extraOverrides: suite.overrides)))
                }
                print("\nsuite \(suite.name):")
                print(String(repeating: " ", count: 2) + "config".padding(toLength: 24, withPad: " ", startingAt: 0) + "   UAR  accuracy  results")
                for (name, summary) in rows {
                    print("  " + name.padding(toLength: 24, withPad: " ", startingAt: 0)
                          + String(format: " %5.1f%%   %5.1f%%  ", summary.meanUAR * 100, summary.meanAccuracy * 100)
                          + summary.directory.path + (summary.syntheticData ? "  (SYNTHETIC DATA)" : ""))
                }
            } else {
                try runOne(file: file, extraOverrides: [])
            }
        }
    }

    @discardableResult
    func runOne(file: ConfigFile?, extraOverrides: [String]) throws -> RunSummary {
        let resolved = try ConfigLoader.resolve(file, overrides: allOverrides(extraOverrides))
        var options = runOptions(file: file)
        options.gateControl = try GateControl.fromEnvironment()
        return try ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options, components: pipeline.components).run()
    }

    /// A suite's overrides, then `--set`, then the flags that stand for config values.
    func allOverrides(_ extraOverrides: [String]) -> [String] {
        var all = extraOverrides + overrides
        if saveModels { all.append("output.saveModels=true") }
        return all + slurm.overrides
    }

    func runOptions(file: ConfigFile?) -> RunOptions {
        var options = RunOptions()
        options.runID = runID
        options.fresh = fresh
        options.resultsDirectory = results.map { URL(fileURLWithPath: $0, isDirectory: true) }
        options.cacheDirectory = pipeline.cacheDirectory
        options.configDirectory = file?.url.deletingLastPathComponent()
        return options
    }
}

/// Prints a user-facing error (what, where, expected, found) and exits with status 1, instead of a trace.
func failing<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error.localizedDescription)\n".utf8))
        throw ExitCode(1)
    }
}
