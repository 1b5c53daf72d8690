import Foundation

/// Finds a corpus's folder. In priority: a command-line option, then `$SERLAB_CORPORA` (a folder
/// holding `ravdess/`, `savee/`, `tess/`), then a root from the config. The option and the config
/// root may name the corpus folder itself or a folder holding `<kind>/`.
///
/// A missing folder, one without the corpus, or one lacking a whole speaker or emotion of the official
/// release is an error saying what was expected where and how to get it. Fewer files than the official
/// count (the TESS subset, a partial copy) is not an error: `CorpusInspector` reports it.
public struct CorpusLocator: Sendable {
    public static let environmentVariable = "SERLAB_CORPORA"

    public enum Source: String, Sendable, Codable {
        case commandLine, environment, config
    }

    public var commandLineRoot: URL?
    public var environment: [String: String]
    public var configRoot: URL?

    public init(commandLineRoot: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                configRoot: URL? = nil) {
        self.commandLineRoot = commandLineRoot
        self.environment = environment
        self.configRoot = configRoot
    }

    /// The folder to read `kind` from, and which setting gave it, without reading it.
    public func resolve(_ kind: CorpusKind) throws -> (root: URL, source: Source) {
        if let commandLineRoot { return (Self.corpusFolder(commandLineRoot, kind: kind), .commandLine) }
        if let value = environment[Self.environmentVariable], !value.isEmpty {
            return (URL(fileURLWithPath: value, isDirectory: true).appendingPathComponent(kind.folderName, isDirectory: true), .environment)
        }
        if let configRoot { return (Self.corpusFolder(configRoot, kind: kind), .config) }
        throw CorpusError.noRootConfigured(kind: kind)
    }

    /// Resolves and loads `kind`, checking that every official speaker and emotion is there.
    public func load(_ kind: CorpusKind, manifest: URL? = nil) throws -> Corpus {
        let (root, _) = try resolve(kind)
        guard FileManager.default.fileExists(atPath: root.path) else { throw CorpusError.missingRoot(path: root.path, kind: kind) }
        let corpus = try Corpus.load(kind: kind, root: root, manifest: manifest)
        let problems = Self.missingParts(of: corpus)
        if !problems.isEmpty { throw CorpusError.incomplete(kind: kind, path: root.path, problems: problems) }
        return corpus
    }

    /// `url/<kind>` when that folder exists, else `url`.
    static func corpusFolder(_ url: URL, kind: CorpusKind) -> URL {
        let nested = url.appendingPathComponent(kind.folderName, isDirectory: true)
        var isDirectory: ObjCBool = false
        if kind != .manifest, kind != .folders, FileManager.default.fileExists(atPath: nested.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return nested
        }
        return url
    }

    /// Whole official speakers or emotions with no file.
    public static func missingParts(of corpus: Corpus) -> [String] {
        guard let official = CorpusSources.official(corpus.kind) else { return [] }
        var problems: [String] = []
        let speakers = Set(corpus.speakers), labels = Set(corpus.labels)
        let missingSpeakers = official.speakers.filter { !speakers.contains($0) }
        let missingEmotions = official.emotions.filter { !labels.contains($0) }
        if !missingSpeakers.isEmpty { problems.append("no files of speaker(s) \(missingSpeakers.joined(separator: ", "))") }
        if !missingEmotions.isEmpty { problems.append("no files of emotion(s) \(missingEmotions.joined(separator: ", "))") }
        return problems
    }
}
