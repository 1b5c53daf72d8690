import Foundation
import SERCore

/// Why a corpus could not be read. Every case names the file or folder, what was expected and what was found.
public enum CorpusError: LocalizedError, Equatable {
    case missingRoot(path: String, kind: CorpusKind?)
    case notAFolder(path: String)
    case noRootConfigured(kind: CorpusKind)
    case unreadableFolder(path: String)
    case noAudio(path: String, kind: CorpusKind)
    case noMatchingAudio(path: String, kind: CorpusKind, audioFiles: Int, example: String)
    case undetectable(path: String, audioFiles: Int)
    case folderOfCorpora(path: String, corpora: [String])
    case incomplete(kind: CorpusKind, path: String, problems: [String])
    case manifestMissing(path: String)
    case manifestUnreadable(path: String, reason: String)
    case manifestColumnMissing(path: String, column: String, found: [String])
    case manifestRow(path: String, line: Int, reason: String)
    case manifestFileMissing(path: String, line: Int, file: String)
    case unknownLabel(label: String, role: String, valid: [String])
    case invalidPolicy(reason: String)
    case emptyCorpus(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missingRoot(let path, let kind):
            let what = kind.map { "the \($0.displayName) corpus" } ?? "a corpus folder"
            let how = kind.map { " " + CorpusSources.howToGet($0) } ?? ""
            return "\(path): expected \(what) here, found nothing.\(how)"
        case .noMatchingAudio(let path, let kind, let count, let example):
            return "\(path): expected \(kind.displayName) files (\(CorpusSources.layout(kind))), found \(count) audio files named otherwise, e.g. \(example). Check --kind, or see docs/corpora.md."
        case .noRootConfigured(let kind):
            return "no folder given for the \(kind.displayName) corpus: expected --corpora <dir> or $SERLAB_CORPORA (the folder holding ravdess/, savee/, tess/), or dataset.root in the config, found none. \(CorpusSources.howToGet(kind))"
        case .notAFolder(let path):
            return "\(path): expected a folder holding a corpus, found a file"
        case .unreadableFolder(let path):
            return "\(path): folder could not be listed"
        case .noAudio(let path, let kind):
            return "\(path): expected \(kind.displayName) audio files (\(CorpusSources.layout(kind))), found none. \(CorpusSources.howToGet(kind))"
        case .undetectable(let path, let count):
            let found = count == 0 ? "no audio files (wav, flac, aif/aiff, ogg)" : "\(count) audio files matching none of them"
            return "\(path): expected TESS, RAVDESS or SAVEE file names, a manifest.csv/manifest.json, or <label>/<files> folders; found \(found). Name the kind explicitly (--kind) or write a manifest (docs/corpora.md)."
        case .folderOfCorpora(let path, let corpora):
            return "\(path): expected one corpus, found a folder holding \(corpora.map { $0 + "/" }.joined(separator: ", ")) (a $SERLAB_CORPORA folder); name one of them, e.g. \(path)/\(corpora[0])"
        case .incomplete(let kind, let path, let problems):
            return "\(path): the \(kind.displayName) corpus is incomplete: \(problems.joined(separator: "; ")). Expected \(CorpusSources.layout(kind)). \(CorpusSources.howToGet(kind))"
        case .manifestMissing(let path):
            return "\(path): expected a manifest (CSV or JSON with path,label,speaker), found no such file"
        case .manifestUnreadable(let path, let reason):
            return "\(path): manifest could not be read: \(reason)"
        case .manifestColumnMissing(let path, let column, let found):
            return "\(path): expected a '\(column)' column, found columns \(found)"
        case .manifestRow(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .manifestFileMissing(let path, let line, let file):
            return "\(path):\(line): expected the audio file \(file), found no such file"
        case .unknownLabel(let label, let role, let valid):
            let suggestion = closest(to: label, in: valid).map { "did you mean '\($0)'? " } ?? ""
            return "label policy: \(role) names unknown label '\(label)'; \(suggestion)valid labels are \(valid.joined(separator: ", "))"
        case .invalidPolicy(let reason):
            return "label policy: \(reason)"
        case .emptyCorpus(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
