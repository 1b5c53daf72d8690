import Foundation
import SERCore

/// A corpus folder read into utterances, in path order, the same way every time.
public struct Corpus: Sendable, Hashable {
    /// `"ravdess"`, `"savee"`, `"tess"`, or for a user's corpus the manifest's or folder's name.
    public var name: String
    public var kind: CorpusKind
    public var root: URL
    /// Sorted by `path`.
    public var utterances: [Utterance]
    /// Audio files the adapter could not place (wrong name pattern, RAVDESS song, ...).
    public var ignored: [IgnoredFile]

    public init(name: String, kind: CorpusKind, root: URL, utterances: [Utterance], ignored: [IgnoredFile] = []) {
        self.name = name
        self.kind = kind
        self.root = root
        self.utterances = utterances.sorted { $0.path < $1.path }
        self.ignored = ignored
    }

    /// Speakers, sorted.
    public var speakers: [String] { Set(utterances.map(\.speaker)).sorted() }
    /// Labels in the fixed order of `Emotion.sorted` (canonical order, then others alphabetically).
    public var labels: [String] { Emotion.sorted(utterances.map(\.label)) }

    public func count(label: String) -> Int { utterances.reduce(0) { $0 + ($1.label == label ? 1 : 0) } }
    public func count(speaker: String) -> Int { utterances.reduce(0) { $0 + ($1.speaker == speaker ? 1 : 0) } }
    public var labelCounts: [String: Int] { utterances.reduce(into: [:]) { $0[$1.label, default: 0] += 1 } }
    public var speakerCounts: [String: Int] { utterances.reduce(into: [:]) { $0[$1.speaker, default: 0] += 1 } }

    /// Reads `root` as a corpus of `kind`. For `.manifest`, `manifest` is the manifest file (default:
    /// `root/manifest.csv` or `root/manifest.json`); paths in it are relative to its folder.
    public static func load(kind: CorpusKind, root: URL, manifest: URL? = nil) throws -> Corpus {
        let root = root.standardizedFileURL
        switch kind {
        case .manifest:
            return try ManifestAdapter.load(root: root, manifest: manifest)
        case .folders:
            return try FolderAdapter.load(root: root)
        case .tess, .ravdess, .savee:
            guard FileManager.default.fileExists(atPath: root.path) else { throw CorpusError.missingRoot(path: root.path, kind: kind) }
            let candidates = try AudioFileScanner.scan(root)
            var utterances: [Utterance] = []
            var ignored: [IgnoredFile] = []
            var firstOfIdentity: [String: String] = [:]
            for candidate in candidates {
                switch parse(candidate, as: kind) {
                case .success(let utterance):
                    // A second copy of the same recording (copies that ship a corpus twice under two
                    // folders) would leak across folds: keep the first path only.
                    let identity = identity(of: utterance, kind: kind)
                    if let first = firstOfIdentity[identity] {
                        ignored.append(IgnoredFile(path: candidate.path, reason: "second copy of \(first) (same speaker, emotion and name)"))
                    } else {
                        firstOfIdentity[identity] = utterance.path
                        utterances.append(utterance)
                    }
                case .failure(let reason): ignored.append(IgnoredFile(path: candidate.path, reason: reason.message))
                }
            }
            guard !utterances.isEmpty else {
                if let first = ignored.first {
                    throw CorpusError.noMatchingAudio(path: root.path, kind: kind, audioFiles: ignored.count, example: "\(first.path): \(first.reason)")
                }
                throw CorpusError.noAudio(path: root.path, kind: kind)
            }
            return Corpus(name: kind.rawValue, kind: kind, root: root, utterances: utterances, ignored: ignored)
        }
    }

    /// Which kind of corpus `root` holds, from names and folders alone: a manifest file at the root,
    /// else the published corpus whose naming nearly all files follow (90%; RAVDESS song files count
    /// as RAVDESS names), else label folders.
    public static func detect(root: URL) -> CorpusKind? {
        let root = root.standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return ["csv", "json"].contains(root.pathExtension.lowercased()) ? .manifest : nil
        }
        if ManifestAdapter.defaultManifest(in: root) != nil { return .manifest }
        guard let candidates = try? AudioFileScanner.scan(root), !candidates.isEmpty else { return nil }
        var best: (kind: CorpusKind, matches: Int)?
        for kind in CorpusKind.published {
            let matches = candidates.reduce(0) { count, candidate in
                if case .success = parse(candidate, as: kind) { return count + 1 }
                if kind == .ravdess, RAVDESSAdapter.hasRAVDESSName(candidate) { return count + 1 }
                return count
            }
            if matches > (best?.matches ?? 0) { best = (kind, matches) }
        }
        if let best, best.matches * 10 >= candidates.count * 9 { return best.kind }
        if FolderAdapter.looksLikeLabelFolders(candidates) { return .folders }
        return nil
    }

    /// Detects and loads; throws `undetectable` when no layout fits.
    public static func load(root: URL) throws -> Corpus {
        guard let kind = detect(root: root) else {
            let count = (try? AudioFileScanner.scan(root).count) ?? 0
            if !FileManager.default.fileExists(atPath: root.path) { throw CorpusError.missingRoot(path: root.path, kind: nil) }
            let corpusFolders = CorpusKind.published.map(\.folderName).filter {
                FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path)
            }.sorted()
            if !corpusFolders.isEmpty { throw CorpusError.folderOfCorpora(path: root.path, corpora: corpusFolders) }
            throw CorpusError.undetectable(path: root.path, audioFiles: count)
        }
        return try load(kind: kind, root: root)
    }

    struct ParseFailure: Error { var message: String }

    /// What names one recording of a published corpus, whatever folder holds it.
    static func identity(of utterance: Utterance, kind: CorpusKind) -> String {
        let stem = AudioFileScanner.stem(of: (utterance.path as NSString).lastPathComponent)
        switch kind {
        case .ravdess: return stem
        case .savee: return utterance.speaker + "/" + utterance.label + "/" + (utterance.metadata["sentence"] ?? stem)
        case .tess: return utterance.speaker + "/" + utterance.label + "/" + (utterance.metadata["word"] ?? stem)
        case .manifest, .folders: return utterance.path
        }
    }

    /// The corpus without byte-identical files: of each group of identical files (SHA-256 of the bytes)
    /// the first path stays; the others are moved to `ignored`. Reads every file: adapters never do this
    /// themselves (they read names alone), an experiment may (RAVDESS Actor_07 has two identical takes).
    public func droppingIdenticalFiles(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> Corpus {
        let list = utterances
        let hashes = parallelMap(count: list.count, threads: max(1, threads), progress: nil) {
            try? SERCore.SHA256.hexDigest(ofFile: list[$0].url)
        }
        var seen: [String: String] = [:]
        var result = self
        result.utterances = []
        for (utterance, hash) in zip(list, hashes) {
            if let hash, let first = seen[hash] {
                result.ignored.append(IgnoredFile(path: utterance.path, reason: "identical bytes to \(first)"))
            } else {
                if let hash { seen[hash] = utterance.path }
                result.utterances.append(utterance)
            }
        }
        return result
    }

    static func parse(_ candidate: AudioCandidate, as kind: CorpusKind) -> Result<Utterance, ParseFailure> {
        switch kind {
        case .ravdess: return RAVDESSAdapter.parse(candidate)
        case .savee: return SAVEEAdapter.parse(candidate)
        case .tess: return TESSAdapter.parse(candidate)
        case .manifest, .folders: return .failure(ParseFailure(message: "not a name-parsed corpus"))
        }
    }
}
