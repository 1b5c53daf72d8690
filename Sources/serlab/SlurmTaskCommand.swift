import ArgumentParser
import Foundation
import SERExperiment

/// The worker side of `serlab run --slurm`: the job scripts call it; people need not (hidden).
struct SlurmTaskCommand: ParsableCommand {
    enum Step: String, ExpressibleByArgument, CaseIterable {
        case features, fold, finish
    }

    static let configuration = CommandConfiguration(
        commandName: "slurm-task",
        abstract: "Run one step of a submitted run: features (fill the cache), fold (one fold unit) or finish (the run's metrics).",
        usage: "serlab slurm-task <step> [<config>] [<options>]",
        shouldDisplay: false)

    @Argument(help: "features, fold or finish.")
    var step: Step

    @Argument(help: "The config file (omit for the synthetic default).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one value (repeatable), as serlab run.", valueName: "path=value"))
    var overrides: [String] = []

    @Option(help: "Results folder.")
    var results: String?

    @Option(name: .customLong("run-id"), help: "The run folder the submission prepared (fold and finish).")
    var runID: String?

    @Option(help: "The fold index (fold): the array task id.")
    var fold: Int?

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        try PipelineOptions.validate(overrides: overrides)
        if step == .fold && fold == nil { throw ValidationError("slurm-task fold needs --fold <index>") }
        if step != .features && runID == nil { throw ValidationError("slurm-task \(step.rawValue) needs --run-id") }
    }

    func run() throws {
        try failing {
            let file = try config.map { try ConfigFile.read(URL(fileURLWithPath: $0)) }
            let resolved = try ConfigLoader.resolve(file, overrides: overrides)
            var options = RunOptions()
            options.runID = runID
            options.resultsDirectory = results.map { URL(fileURLWithPath: $0, isDirectory: true) }
            options.cacheDirectory = pipeline.cacheDirectory
            options.configDirectory = file?.url.deletingLastPathComponent()
            let runner = ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options, components: pipeline.components)
            switch step {
            case .features:
                let count = try runner.runFeatureStep()
                print("features of \(count) utterances are in the cache \(pipeline.cacheDirectory.path)")
            case .fold:
                try runner.runFoldStep(fold!)
            case .finish:
                _ = try runner.runFinishStep()
            }
        }
    }
}
