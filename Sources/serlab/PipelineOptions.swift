import ArgumentParser
import Foundation
import SERExperiment

/// The options of commands that run the experiment pipeline on a corpus (`run`, `train`): where
/// features are cached and where the corpora are.
struct PipelineOptions: ParsableArguments {
    @Option(help: "Feature and synthetic-corpus cache folder.")
    var cache: String = ".serlab-cache"

    @Option(help: "Folder holding the corpora (ravdess/, savee/, tess/) or the corpus itself; beats $SERLAB_CORPORA and dataset.root.")
    var corpora: String?

    var cacheDirectory: URL { URL(fileURLWithPath: cache, isDirectory: true) }

    /// The real pipeline with `--corpora` first in corpus lookup.
    var components: ExperimentComponents {
        .standard(corporaRoot: corpora.map { URL(fileURLWithPath: $0, isDirectory: true) })
    }

    /// Checks `--set` values: each must be `path=value`.
    static func validate(overrides: [String]) throws {
        for text in overrides where !text.contains("=") {
            throw ValidationError("--set \(text): expected path=value, e.g. training.epochs=5")
        }
    }
}
