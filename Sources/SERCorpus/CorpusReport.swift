import Foundation
import SERAudio

/// What one file of a corpus holds, read from its header and samples.
public struct FileCheck: Sendable, Equatable {
    public var path: String
    /// Header facts; nil when the file could not be opened as audio.
    public var info: AudioFileInfo?
    /// Why the file could not be read (header or samples), or nil.
    public var problem: String?
    /// SHA-256 of the file's bytes.
    public var sha256: String?
    /// Largest absolute sample of the mono mix, in [0, 1].
    public var peak: Float
    /// Samples of the mono mix at full scale (|x| >= 32767/32768).
    public var fullScaleSamples: Int
}

/// A corpus checked file by file: the facts `serlab corpus info` prints.
public struct CorpusReport: Sendable {
    public var corpus: Corpus
    /// One per utterance, in the corpus's order.
    public var files: [FileCheck]
    /// Peak below which a file counts as very quiet.
    public static let quietPeak: Float = 0.01
    /// 32767/32768: the largest 16-bit sample.
    public static let fullScale: Float = 32767.0 / 32768.0

    public var readable: [FileCheck] { files.filter { $0.problem == nil && $0.info != nil } }
    public var unreadable: [FileCheck] { files.filter { $0.problem != nil } }
    /// Peak exactly 0: no signal at all.
    public var silent: [FileCheck] { readable.filter { $0.peak == 0 } }
    public var quiet: [FileCheck] { readable.filter { $0.peak > 0 && $0.peak < Self.quietPeak } }
    public var clipped: [FileCheck] { readable.filter { $0.fullScaleSamples > 0 } }
    /// Files whose extension names another container than their content (AIFF named `.wav`).
    public var misnamedContainers: [(path: String, content: String)] {
        files.compactMap { file in
            guard let container = file.info?.container else { return nil }
            let ext = (file.path as NSString).pathExtension.lowercased()
            let expected: [String: String] = ["wav": "WAV", "wave": "WAV", "flac": "FLAC", "aif": "AIFF", "aiff": "AIFF", "aifc": "AIFF", "ogg": "OGG", "oga": "OGG"]
            guard let named = expected[ext], named != container else { return nil }
            return (file.path, container)
        }
    }
    /// Groups of two or more files with identical bytes.
    public var duplicates: [[String]] {
        Dictionary(grouping: files.filter { $0.sha256 != nil }, by: { $0.sha256! })
            .values.filter { $0.count > 1 }.map { $0.map(\.path).sorted() }.sorted { $0[0] < $1[0] }
    }
    public var sampleRates: [Int: Int] { readable.reduce(into: [:]) { $0[$1.info!.sampleRate, default: 0] += 1 } }
    public var channelCounts: [Int: Int] { readable.reduce(into: [:]) { $0[$1.info!.channels, default: 0] += 1 } }
    /// Files whose rate differs from the most common one.
    public var unusualSampleRates: [FileCheck] {
        guard let common = sampleRates.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) })?.key else { return [] }
        return readable.filter { $0.info!.sampleRate != common }
    }
    public var durations: [Double] { readable.map { $0.info!.duration } }

    /// Official files missing from this copy (by identity: RAVDESS name, SAVEE speaker and code,
    /// TESS speaker, word and emotion for the words present), and per speaker/emotion shortfalls.
    public var missingOfficial: [String] { OfficialInventory.missing(in: corpus) }
}
