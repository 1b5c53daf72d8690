import ArgumentParser
import Foundation
import SERPredict

/// `serlab bundle`: the saved fold models of a finished run as one model bundle.
struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Turn the saved fold models of a run into one model bundle for serlab predict.",
        usage: "serlab bundle <run-folder> --output <file> [--fold <k>]",
        discussion: """
        The run must be finished and made with --save-models (each fold's folds/fold-<k>/model.h5 and \
        normalization.json). By default every fold's model goes into the bundle and predictions are the \
        mean of their probabilities (an ensemble); --fold K keeps one. The bundle also holds the feature \
        spec, input shaping, normalisation statistics, labels, the resolved config and the training \
        data's fingerprint (docs/bundle.md).

        Examples:
          serlab run configs/mlp_ravdess.json --save-models
          serlab bundle results/mlp_ravdess/<run id> --output mlp_ravdess.serlab
        """)

    @Argument(help: "A run folder (results/<config>/<run id>) made with --save-models.")
    var runFolder: String

    @Option(help: "The bundle file to write (conventionally *.serlab).")
    var output: String

    @Option(help: "Bundle only this fold's model (default: every fold, as an ensemble).")
    var fold: Int?

    func run() throws {
        try failing {
            let bundle = try ModelBundle.fromRun(URL(fileURLWithPath: runFolder, isDirectory: true), fold: fold)
            let url = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bundle.write(to: url)
            print("wrote \(url.path): \(bundle.members.count) model\(bundle.members.count == 1 ? "" : "s"), "
                  + "labels \(bundle.labels.joined(separator: ", ")), \(bundle.normalization.rawValue) normalisation (\(bundle.provenance))")
        }
    }
}
