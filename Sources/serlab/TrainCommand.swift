import ArgumentParser
import Foundation
import SERExperiment
import SERPredict

/// `serlab train`: one deployable model fitted on the whole corpus, written as a model bundle.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fit a config's model on the whole corpus and write a model bundle.",
        usage: "serlab train <config> --output <file> [<options>]",
        discussion: """
        Trains on every utterance the config keeps (every label and speaker), with the run's own \
        pipeline: cached features, input shaping, normalisation fitted on all the data, augmentation, \
        the same network and training settings. No data is left to stop early on, so the number of \
        epochs is chosen first (docs/bundle.md, "serlab train"):

        --from-run RUN: the median epoch kept by the folds of a finished cross-validation run of the \
        same config (its config.resolved.json must match, apart from name, description, output and \
        training.epochs). The most stable choice: run the config first.

        Without it: a validation part is held out exactly as in a fold (whole speakers when the corpus \
        has enough of them), the model is trained with early stopping on it, and then retrained on \
        everything for the epoch it kept.

        --epochs N trains exactly N epochs. The bundle's provenance says which rule chose the count.

        Examples:
          serlab run configs/mlp_ravdess.json
          serlab train configs/mlp_ravdess.json --output models/mlp_ravdess.serlab \\
            --from-run results/mlp_ravdess/<run id>
          serlab train configs/mlp_savee.json --output models/mlp_savee.serlab
        """)

    @Argument(help: "An experiment config (not a suite).")
    var config: String

    @Option(help: "The bundle file to write (conventionally *.serlab).")
    var output: String

    @Option(name: .customLong("from-run"), help: ArgumentHelp("Take the epochs from this finished run of the same config.", valueName: "run"))
    var fromRun: String?

    @Option(help: "Train exactly this many epochs.")
    var epochs: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one value, e.g. training.threads=1 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @OptionGroup var pipeline: PipelineOptions

    func validate() throws {
        try PipelineOptions.validate(overrides: overrides)
        if let epochs, epochs < 1 { throw ValidationError("--epochs: expected at least 1, found \(epochs)") }
        if epochs != nil && fromRun != nil {
            throw ValidationError("--epochs and --from-run both choose the number of epochs; give one of them")
        }
    }

    func run() throws {
        try failing {
            let file = try ConfigFile.read(URL(fileURLWithPath: config))
            guard !file.isSuite else {
                throw ConfigError.unreadable(source: config, reason: "expected one experiment config, found a suite (a \"configs\" list); train each of its configs")
            }
            guard !file.isFusion else {
                throw ConfigError.unreadable(source: config, reason: "expected one experiment config, found a late fusion (a \"fusion\" list); model bundles hold one kind of network, train each member instead")
            }
            let resolved = try ConfigLoader.resolve(file, overrides: overrides)
            var options = RunOptions()
            options.cacheDirectory = pipeline.cacheDirectory
            options.configDirectory = file.url.deletingLastPathComponent()
            let runner = ExperimentRunner(config: resolved.config, resolvedConfig: resolved.json, options: options, components: pipeline.components)
            let source: EpochSource = epochs.map { .fixed($0) }
                ?? fromRun.map { .crossValidationRun(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .validationSplit
            let trained = try WholeCorpusTrainer(runner: runner).train(epochs: source)
            let bundle = ModelBundle(trained: trained, config: resolved.config, resolvedConfig: resolved.json,
                                     configName: file.url.lastPathComponent)
            let url = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bundle.write(to: url)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            print("wrote \(url.path): " + String(format: "%.1f kB", Double(bytes) / 1000) + ", labels \(bundle.labels.joined(separator: ", ")), "
                  + "\(bundle.normalization.rawValue) normalisation; " + String(format: "%.1f s", trained.seconds))
            print("provenance: \(bundle.provenance)")
        }
    }
}
