import ArgumentParser
import Foundation
import SERAudio
import SERCache
import SERCore
import SERExperiment
import SERFeatures
#if canImport(Glibc)
import Glibc
#endif

/// `serlab features`: one file's feature matrix (to compare with another tool), a whole folder into
/// the HDF5 feature cache, or a config's (or corpus's) dataset as a feature table or frame matrices.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Extract features of one audio file, of a folder into the cache, or export a dataset's features.",
        usage: "serlab features <input> [<options>]",
        discussion: """
        With an audio file: prints its feature matrix as CSV (one row per frame, a header naming each \
        column), or writes it to --output (.csv, or .h5 with datasets `features` and `column_names`).

        With a folder: finds every .wav, .flac, .aif, .aiff and .ogg file under it, extracts what the \
        cache does not hold yet (in parallel on all cores) into <cache-dir>/<corpus>-<spec hash>.h5, \
        and prints a summary: files, frames, shapes, time, cache hits. Progress shows when stderr is a \
        terminal.

        With an experiment config (.json) or a corpus name (synthetic, ravdess, savee, tess: the default \
        config on that corpus): loads the dataset as `serlab run` does (--corpora, $SERLAB_CORPORA, \
        dataset.root, ./corpora), fills or reads the feature cache, and writes --output: a .csv table, \
        one row per utterance (path, corpus, speaker, label, then utterance-level columns such as \
        mfcc_3_mean; a frame-level spec gives its functionals of the frames), or a .h5 file of \
        frame-level matrices, one dataset per utterance with its metadata (docs/features.md). Without \
        --output the table goes to stdout. --set changes config values, --spec replaces the features.

        Examples:
          serlab features clip.wav --spec mfcc.json --output clip.csv
          serlab features $SERLAB_CORPORA/ravdess --spec mfcc.json
          serlab features configs/mlp_ravdess.json --output ravdess.csv
          serlab features savee --set features.mfccCount=13 --output savee_frames.h5
        """
    )

    @Argument(help: "An audio file, a folder of audio files, an experiment config (.json) or a corpus name.")
    var input: String

    @Option(help: "Feature spec JSON (FeatureSpec keys; librosa's defaults for anything left out).")
    var spec: String?

    @Option(help: "For one file: write the matrix here (.csv or .h5) instead of printing CSV. For a config or corpus: the table (.csv) or the frame matrices (.h5).")
    var output: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("For a config or corpus: override one value, e.g. features.mfccCount=13 (repeatable).", valueName: "path=value"))
    var overrides: [String] = []

    @Option(help: "For a config or corpus: the folder holding the corpora (ravdess/, savee/, tess/) or the corpus itself; beats $SERLAB_CORPORA and dataset.root.")
    var corpora: String?

    @Option(help: "For a folder: the cache folder.")
    var cacheDir: String = ".serlab-cache"

    @Option(help: "For a folder: the corpus name in the cache file name (default: the folder's name).")
    var corpusName: String?

    @Flag(help: "No progress line, even on a terminal.")
    var quiet = false

    static let audioExtensions: Set<String> = ["wav", "flac", "aif", "aiff", "ogg"]

    func validate() throws {
        try PipelineOptions.validate(overrides: overrides)
        let kind = try Self.inputKind(input)
        if kind == .audioFile || kind == .folder {
            if !overrides.isEmpty { throw ValidationError("--set is for a config or corpus name, not for '\(input)'") }
            if corpora != nil { throw ValidationError("--corpora is for a config or corpus name, not for '\(input)'") }
        }
        if kind == .folder, output != nil {
            throw ValidationError("'\(input)' is a folder, not an audio file: --output is for one audio file; for a folder the features go to the cache (--cache-dir)")
        }
        if let output {
            var outputIsFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: output, isDirectory: &outputIsFolder), outputIsFolder.boolValue {
                throw ValidationError("--output: '\(output)' is a folder; expected a file ending in .csv or .h5")
            }
            let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
            guard ext == "csv" || ext == "h5" || ext == "hdf5" else {
                throw ValidationError("--output: expected a file ending in .csv or .h5, found '\(output)'")
            }
        }
    }

    func run() throws {
        let specFile = try spec.map { try Self.loadSpec(URL(fileURLWithPath: $0)) }
        let url = URL(fileURLWithPath: input)
        switch try Self.inputKind(input) {
        case .folder: try extractFolder(url, spec: specFile ?? FeatureSpec())
        case .audioFile: try extractFile(url, spec: specFile ?? FeatureSpec())
        case .config: try failing { try exportDataset(config: url, corpus: nil, spec: specFile) }
        case .corpusName: try failing { try exportDataset(config: nil, corpus: input, spec: specFile) }
        }
    }

    /// What the input argument names.
    enum InputKind: Equatable { case audioFile, folder, config, corpusName }

    /// The corpus names accepted in place of a config (`manifest` and `folders` need a config's paths).
    static let corpusNames = ["synthetic", "ravdess", "savee", "tess"]

    /// An existing path wins over a corpus name (a folder `./ravdess` is a folder).
    static func inputKind(_ input: String) throws -> InputKind {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) {
            if isFolder.boolValue { return .folder }
            return URL(fileURLWithPath: input).pathExtension.lowercased() == "json" ? .config : .audioFile
        }
        if corpusNames.contains(input) { return .corpusName }
        throw ValidationError("expected an audio file, a folder, an experiment config (.json) or a corpus name (\(corpusNames.joined(separator: ", "))), found nothing at '\(input)'")
    }

    // MARK: One file

    private func extractFile(_ url: URL, spec: FeatureSpec) throws {
        let clip = try AudioFile.read(url, sampleRate: spec.sampleRate)
        let matrix = try FeatureExtractor(spec: spec).extract(clip.samples)
        guard let output else {
            FileHandle.standardOutput.write(Data(Self.csv(matrix).utf8))
            return
        }
        let outputURL = URL(fileURLWithPath: output)
        if outputURL.pathExtension.lowercased() == "csv" {
            do {
                try Self.csv(matrix).write(to: outputURL, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("--output: cannot write '\(output)': \(error.localizedDescription)")
            }
        } else {
            try FeatureMatrixFile.write(matrix, spec: spec, source: url, to: outputURL)
        }
        FileHandle.standardError.write(Data("\(url.path): \(matrix.frameCount) frames x \(matrix.columnCount) columns -> \(output)\n".utf8))
    }

    /// Header of column names, then one line per frame; values in Swift's shortest round-trip form.
    static func csv(_ matrix: FeatureMatrix) -> String {
        var text = CSV.line(matrix.columnNames) + "\n"
        text.reserveCapacity(matrix.values.count * 12)
        for frame in 0..<matrix.frameCount {
            let row = matrix.values[(frame * matrix.columnCount)..<((frame + 1) * matrix.columnCount)]
            text += row.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return text
    }

    // MARK: A folder

    private func extractFolder(_ folder: URL, spec: FeatureSpec) throws {
        let files = Self.audioFiles(under: folder)
        guard !files.isEmpty else {
            let kinds = Self.audioExtensions.sorted().joined(separator: ", ")
            // A folder named like an audio file (x.wav/) was most likely meant to be one.
            if Self.audioExtensions.contains(folder.pathExtension.lowercased()) {
                throw ValidationError("'\(folder.path)' is a folder, not an audio file, and holds no audio files (\(kinds))")
            }
            throw ValidationError("expected audio files (\(kinds)) under '\(folder.path)', found none")
        }
        let name = corpusName ?? folder.standardizedFileURL.lastPathComponent
        let cache = try FeatureCache(directory: URL(fileURLWithPath: cacheDir), corpusName: name, spec: spec)
        // The progress line goes to stderr, and only to a terminal: stdout holds the summary.
        var progress: FeatureCache.Progress?
        if !quiet && isatty(STDERR_FILENO) != 0 {
            let reporter = ConsoleProgress(live: true, output: .standardError)
            progress = { done, total in reporter.report(.features(done: done, total: total)) }
        }
        let (_, statistics) = try cache.featuresWithStatistics(for: files, progress: progress)
        print(statistics.summary)
    }

    /// Audio files under `folder` (recursively, by extension, case-insensitive), sorted by path.
    static func audioFiles(under folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [URL] = []
        for case let url as URL in walker where audioExtensions.contains(url.pathExtension.lowercased()) {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Decodes a spec file; errors name the file and the JSON path.
    static func loadSpec(_ url: URL) throws -> FeatureSpec {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ValidationError("--spec: cannot read '\(url.path)': \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(FeatureSpec.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError("--spec \(url.path): \(describe(error))")
        } catch {
            throw ValidationError("--spec \(url.path): \((error as? LocalizedError)?.errorDescription ?? "\(error)")")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "at \(path(context.codingPath)): expected \(type), \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "at \(path(context.codingPath)): expected a \(type) value, found null"
        case .keyNotFound(let key, let context):
            return "at \(path(context.codingPath)): expected the key '\(key.stringValue)', found none"
        case .dataCorrupted(let context):
            return "at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
