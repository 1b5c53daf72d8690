import ArgumentParser
import Foundation
import SERCache
import SERExperiment
import SERFeatures
#if canImport(Glibc)
import Glibc
#endif

/// `serlab features CONFIG_OR_CORPUS`: a dataset's features out of the cache, as a table or frame matrices.
extension FeaturesCommand {
    /// Loads the dataset of `config` (or of the default config on `corpus`) as `serlab run` does, takes
    /// each utterance's features from the cache (extracting what is missing) and writes the export.
    func exportDataset(config: URL?, corpus: String?, spec specFile: FeatureSpec?) throws {
        let file = try config.map(ConfigFile.read)
        if let file, file.isSuite {
            throw ConfigError.unreadable(source: file.url.path, reason: "expected one experiment config, found a suite (a \"configs\" list); export each of its configs")
        }
        let corpusOverride = corpus.map { ["dataset.corpus=\($0)"] } ?? []
        var resolved = try ConfigLoader.resolve(file, overrides: corpusOverride + overrides).config
        if let specFile { resolved.features = specFile }
        let spec = resolved.features
        let cacheDirectory = URL(fileURLWithPath: cacheDir, isDirectory: true)
        let components = ExperimentComponents.standard(corporaRoot: corpora.map { URL(fileURLWithPath: $0, isDirectory: true) })
        let dataset = try components.dataset(resolved.dataset).load(resolved.dataset, cacheDirectory: cacheDirectory)
        let utterances = dataset.items.map {
            UtteranceInfo(path: $0.path, corpus: dataset.corpusName, speaker: $0.speaker, label: $0.label)
        }

        let outputURL = output.map { URL(fileURLWithPath: $0) }
        let frames = outputURL.map { ["h5", "hdf5"].contains($0.pathExtension.lowercased()) } ?? false
        // The frames file always holds frame-level matrices; a table reads the spec's own cache (the one
        // `serlab run` fills) and takes the functionals of frames itself.
        let cacheSpec = frames ? spec.frameLevel : spec
        let cache = try FeatureCache(directory: cacheDirectory, corpusName: dataset.corpusName, spec: cacheSpec)
        var progress: FeatureCache.Progress?
        if !quiet && isatty(STDERR_FILENO) != 0 {
            let reporter = ConsoleProgress(live: true, output: .standardError)
            progress = { done, total in reporter.report(.features(done: done, total: total)) }
        }
        let (matrices, statistics) = try cache.featuresWithStatistics(for: dataset.items.map(\.url), progress: progress)
        FileHandle.standardError.write(Data("\(statistics.summary)\n".utf8))

        if frames, let outputURL {
            try FrameMatricesFile.write(utterances, matrices: matrices, spec: cacheSpec, to: outputURL)
            report("\(utterances.count) frame matrices (\(matrices.first?.columnCount ?? 0) columns) of \(dataset.corpusName) -> \(outputURL.path)")
            return
        }
        let rows = matrices.map { Functionals.utteranceRow($0, spec: spec) }
        guard let outputURL else {
            FileHandle.standardOutput.write(Data(FeatureTableFile.text(utterances, rows: rows).utf8))
            return
        }
        try FeatureTableFile.write(utterances, rows: rows, to: outputURL)
        report("\(utterances.count) rows x \(rows.first?.columnCount ?? 0) feature columns of \(dataset.corpusName) -> \(outputURL.path)")
    }

    private func report(_ line: String) {
        FileHandle.standardError.write(Data("\(line)\n".utf8))
    }
}
