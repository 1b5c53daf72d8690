import ArgumentParser
import Foundation
import SERAudio
import SERCorpus
import SERPredict

/// `serlab predict`: the emotion of audio files with a model bundle.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the emotion of audio files with a model bundle.",
        usage: "serlab predict <model> <input> ... [<options>]",
        discussion: """
        Prints, per file, the predicted emotion and the probability of every class. Folders are walked \
        like corpora are (every audio file under them, any format serlab reads). A file that cannot be \
        read gets an error line naming it and why, and the others are still predicted; the exit status \
        is 1 when any failed.

        --output writes a table (CSV, or JSON for a .json name): path, label, one p_<label> column per \
        class, duration in seconds, and an error column.

        Bundles trained with speaker normalisation need each speaker's own statistics: --speaker-from \
        folder (the folder holding each file names its speaker) or --speaker-from a corpus manifest \
        (CSV or JSON with path, label and speaker; labels are not used) groups the recordings, and each \
        group is normalised with its own recordings' statistics. Files without a speaker, or no \
        --speaker-from, use the training-global statistics (see docs/bundle.md).

        --segment splits each recording into speech segments (an energy voice-activity detector: frames \
        within 40 dB of the loudest and above -55 dBFS, pauses under 0.3 s bridged, bursts under 0.2 s \
        dropped, 0.1 s of padding, stretches over 8 s cut into 8 s windows overlapping by 1 s; see \
        SERFeatures/README.md) and predicts each: it prints a line per segment, --output writes the \
        timeline (path, start, end, stretch, label, p_<label>..., error) and --timeline-svg draws it \
        under the waveform. Long recordings are streamed twice, never held whole.

        --stdin reads one recording from standard input, named '-' in the output: a WAV, AIFF, FLAC or \
        OGG stream (recognised by its first bytes; WAV from a pipe may leave its lengths unset), or raw \
        mono samples with --raw-rate and --raw-format (s16le, s32le or f32le, little-endian). It is \
        copied to a temporary file first, in bounded memory.

        Examples:
          serlab predict mlp_ravdess.serlab clip.wav
          serlab predict mlp_ravdess.serlab recordings/ --output predictions.csv
          serlab predict mlp_ravdess.serlab talk.flac --segment --timeline-svg talk.svg
          arecord -f S16_LE -r 16000 -d 5 | serlab predict mlp_ravdess.serlab --stdin
          ffmpeg -i talk.mp3 -f f32le -ac 1 -ar 16000 - | serlab predict m.serlab \\
            --stdin --raw-rate 16000 --raw-format f32le --segment
        """)

    @Argument(help: "A model bundle (serlab bundle, serlab train).")
    var model: String

    @Argument(help: "Audio files and folders of audio files.")
    var inputs: [String] = []

    @Option(help: "Write a table of every prediction here (.csv, or .json).")
    var output: String?

    @Option(name: .customLong("speaker-from"), help: ArgumentHelp("Group recordings by speaker: 'folder', or a manifest file.", valueName: "folder|manifest"))
    var speakerFrom: String?

    @Option(help: "Files decoded and extracted at once (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Split each recording into speech segments and predict each.")
    var segment = false

    @Option(name: .customLong("timeline-svg"), help: ArgumentHelp(
        "With --segment: draw the timeline here (several recordings: <name>-<k>.svg).", valueName: "file.svg"))
    var timelineSVG: String?

    @Flag(help: "Read one recording from standard input (WAV, FLAC, ... or raw).")
    var stdin = false

    @Option(name: .customLong("raw-rate"), help: ArgumentHelp("With --stdin: raw mono samples at this rate.", valueName: "Hz"))
    var rawRate: Int?

    @Option(name: .customLong("raw-format"), help: ArgumentHelp("With --raw-rate: s16le, s32le or f32le.", valueName: "format"))
    var rawFormat: String?

    func validate() throws {
        if stdin {
            guard inputs.isEmpty else { throw ValidationError("--stdin: expected no other input, found \(inputs.map { "'\($0)'" }.joined(separator: ", "))") }
        } else {
            guard !inputs.isEmpty else { throw ValidationError("expected at least one audio file or folder after the model, or --stdin") }
        }
        try validateStandardInputOptions()
        try validateSegmentOptions()
        guard threads >= 1 else { throw ValidationError("--threads: expected at least 1, found \(threads)") }
        if let output {
            let ext = URL(fileURLWithPath: output).pathExtension.lowercased()
            guard ext == "csv" || ext == "json" else { throw ValidationError("--output: expected a file ending in .csv or .json, found '\(output)'") }
        }
    }

    func run() throws {
        let spool = stdin ? try failing { try StandardInputSpool(raw: rawAudioFormat) } : nil
        defer { spool?.remove() }
        let (predictor, files, speakers) = try failing {
            let predictor = try Predictor(bundle: ModelBundle.read(URL(fileURLWithPath: model)), threads: threads)
            let files = spool.map { [InputFile(path: StandardInputSpool.name, url: $0.url)] } ?? Self.files(inputs)
            return (predictor, files, try speakerFrom.map { try Self.speakers(of: files, from: $0) })
        }
        if segment {
            try runSegments(predictor, files: files, spool: spool)
            return
        }
        reportNormalisation(predictor.bundle, grouped: speakers != nil)
        var table = PredictionTable(labels: predictor.labels)
        var readable: [Int] = []
        for (index, file) in files.enumerated() {
            if let problem = file.problem {
                table.rows.append(.init(path: file.path, prediction: nil, error: problem))
            } else {
                table.rows.append(.init(path: file.path, prediction: nil, error: nil))
                readable.append(index)
            }
        }
        let results = predictor.predict(urls: readable.map { files[$0].url }, speakers: speakers.map { names in readable.map { names[$0] } })
        for (index, result) in zip(readable, results) { table.rows[index] = .init(path: files[index].path, result: result) }
        if let spool { table.rows = table.rows.map { .init(path: $0.path, prediction: $0.prediction, error: $0.error.map(spool.relabel)) } }
        for row in table.rows { print(Self.line(row, labels: table.labels)) }
        if let output {
            try failing { try table.write(to: URL(fileURLWithPath: output)) }
        }
        if table.failureCount > 0 {
            FileHandle.standardError.write(Data("\(table.failureCount) of \(table.rows.count) files could not be predicted\n".utf8))
            throw ExitCode(1)
        }
    }

    /// A file to predict: the path as the user sees it (an input, or a folder joined with the file's
    /// path under it), and why it cannot even be tried (nothing there, a folder with no audio).
    struct InputFile {
        var path: String
        var url: URL
        var problem: String?
    }

    /// The inputs in order: files as given (any name: decoding decides), folders expanded to their audio
    /// files sorted by path (`AudioFileScanner`, as corpora are walked).
    static func files(_ inputs: [String]) -> [InputFile] {
        inputs.flatMap { input -> [InputFile] in
            let url = URL(fileURLWithPath: input)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
                return [InputFile(path: input, url: url, problem: "\(input): no such file or folder")]
            }
            guard isFolder.boolValue else { return [InputFile(path: input, url: url)] }
            do {
                let found = try AudioFileScanner.scan(url)
                if found.isEmpty { return [InputFile(path: input, url: url, problem: "\(input): expected audio files in this folder, found none")] }
                let prefix = input.hasSuffix("/") ? input : input + "/"
                return found.map { InputFile(path: prefix + $0.path, url: $0.url) }
            } catch {
                return [InputFile(path: input, url: url, problem: error.localizedDescription)]
            }
        }
    }

    /// Each file's speaker: its folder's name (`folder`), or its row of a corpus manifest (nil when not listed).
    static func speakers(of files: [InputFile], from source: String) throws -> [String?] {
        if source == "folder" { return files.map { $0.url.deletingLastPathComponent().lastPathComponent } }
        let manifest = URL(fileURLWithPath: source)
        let corpus = try Corpus.load(kind: .manifest, root: manifest.deletingLastPathComponent(), manifest: manifest)
        let byPath = Dictionary(corpus.utterances.map { ($0.url.standardizedFileURL.resolvingSymlinksInPath().path, $0.speaker) },
                                uniquingKeysWith: { first, _ in first })
        return files.map { byPath[$0.url.standardizedFileURL.resolvingSymlinksInPath().path] }
    }

    /// Says on stderr when the bundle's speaker normalisation falls back to global statistics, or a grouping is unused.
    func reportNormalisation(_ bundle: ModelBundle, grouped: Bool) {
        var note: String?
        if bundle.normalization == .speaker && !grouped {
            note = "note: \(model) was trained with speaker normalisation; without --speaker-from every file is normalised with the training-global statistics"
        } else if bundle.normalization != .speaker && grouped {
            note = "note: --speaker-from is not used: \(model) applies '\(bundle.normalization.rawValue)' normalisation"
        }
        if let note { FileHandle.standardError.write(Data((note + "\n").utf8)) }
    }

    /// `path: label  angry 0.812  happy 0.103 ...` or `error: <message naming the file>`.
    static func line(_ row: PredictionTable.Row, labels: [String]) -> String {
        guard let prediction = row.prediction else { return "error: \(row.error ?? "\(row.path): not predicted")" }
        let probabilities = zip(labels, prediction.probabilities).map { String(format: "%@ %.3f", $0, $1) }.joined(separator: "  ")
        return "\(row.path): \(prediction.label)  \(probabilities)"
    }
}
