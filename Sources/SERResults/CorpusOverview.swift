import Foundation

/// `corpusOverview.json`: a small precomputed summary of the corpus a run used, written by the
/// runner (which has the audio and the feature extractor) and drawn by `serlab report` when
/// present. The report never opens audio itself. Layout in docs/report.md.
public struct CorpusOverview: Codable, Equatable, Sendable {
    /// One example utterance of one label, already reduced to what the plots draw.
    public struct Example: Codable, Equatable, Sendable {
        public var label: String
        /// Path as in predictions.csv (relative to the corpus root).
        public var path: String
        public var speaker: String?
        public var durationSeconds: Double
        /// Waveform envelope: the minimum and maximum sample in each of `waveformMinimum.count`
        /// equal slices of the utterance (about 400-1000 slices), samples in [-1, 1].
        public var waveformMinimum: [Double]
        public var waveformMaximum: [Double]
        /// Log-mel (or linear) spectrogram in dB, `[band][frame]`, band 0 the lowest frequency.
        /// Keep it small (e.g. 64 bands x at most 200 frames, pooled if longer).
        public var spectrogramDB: [[Double]]
        /// Highest frequency of the top band, Hz (axis label only).
        public var spectrogramMaxFrequency: Double
        /// "mel" or "linear" (axis label only).
        public var spectrogramScale: String
        /// MFCCs `[coefficient][frame]`, same frames as the spectrogram.
        public var mfcc: [[Double]]
        /// Seconds between frames (the hop), for the time axis.
        public var frameDuration: Double

        public init(label: String, path: String, speaker: String?, durationSeconds: Double, waveformMinimum: [Double], waveformMaximum: [Double],
                    spectrogramDB: [[Double]], spectrogramMaxFrequency: Double, spectrogramScale: String, mfcc: [[Double]], frameDuration: Double) {
            self.label = label; self.path = path; self.speaker = speaker; self.durationSeconds = durationSeconds
            self.waveformMinimum = waveformMinimum; self.waveformMaximum = waveformMaximum; self.spectrogramDB = spectrogramDB
            self.spectrogramMaxFrequency = spectrogramMaxFrequency; self.spectrogramScale = spectrogramScale
            self.mfcc = mfcc; self.frameDuration = frameDuration
        }
    }

    public var corpus: String
    /// Label -> number of files (all files of the corpus the run used, not just one fold).
    public var filesPerLabel: [String: Int]
    /// Speaker -> number of files.
    public var filesPerSpeaker: [String: Int]
    /// Duration of every file in seconds (the report bins them into a histogram).
    public var durationsSeconds: [Double]
    /// One example per label, in label order.
    public var examples: [Example]
    /// True when the corpus is serlab's synthetic one: the report says so.
    public var syntheticData: Bool?

    public init(corpus: String, filesPerLabel: [String: Int], filesPerSpeaker: [String: Int], durationsSeconds: [Double], examples: [Example], syntheticData: Bool? = nil) {
        self.corpus = corpus; self.filesPerLabel = filesPerLabel; self.filesPerSpeaker = filesPerSpeaker
        self.durationsSeconds = durationsSeconds; self.examples = examples; self.syntheticData = syntheticData
    }

    /// Reads `corpusOverview.json`, with errors naming the file and JSON path.
    public static func read(_ url: URL) throws(ResultsFileError) -> CorpusOverview { try ResultsFile.read(CorpusOverview.self, from: url) }

    /// The file's bytes: pretty-printed with sorted keys, values rounded (`rounded()`) to keep the file small.
    public func jsonData() throws -> Data { try ResultsFile.sortedJSONData(rounded()) }

    /// Writes `jsonData()` to `url` (atomically), creating the folder.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try jsonData().write(to: url, options: .atomic)
    }

    /// A copy with samples and durations to 4 decimals and dB / MFCC values to 2: far below what a
    /// plot can show, and about a third of the file size of full doubles.
    public func rounded() -> CorpusOverview {
        func round(_ value: Double, _ scale: Double) -> Double { (value * scale).rounded() / scale }
        var copy = self
        copy.durationsSeconds = durationsSeconds.map { round($0, 1e4) }
        copy.examples = examples.map { example in
            var e = example
            e.waveformMinimum = e.waveformMinimum.map { round($0, 1e4) }
            e.waveformMaximum = e.waveformMaximum.map { round($0, 1e4) }
            e.spectrogramDB = e.spectrogramDB.map { $0.map { round($0, 100) } }
            e.mfcc = e.mfcc.map { $0.map { round($0, 100) } }
            return e
        }
        return copy
    }
}
