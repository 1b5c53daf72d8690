/// The corpus layouts serlab reads.
public enum CorpusKind: String, Codable, CaseIterable, Sendable {
    case tess, ravdess, savee
    /// A CSV or JSON list of `path,label,speaker[,split][,fold]`.
    case manifest
    /// `<root>/<label>/<files>` (optionally `<root>/<label>/<speaker>/<files>`).
    case folders

    /// The three public corpora whose official contents are known.
    public static let published: [CorpusKind] = [.tess, .ravdess, .savee]

    /// The conventional folder name under `$SERLAB_CORPORA`.
    public var folderName: String { rawValue }

    public var displayName: String {
        switch self {
        case .tess: return "TESS"
        case .ravdess: return "RAVDESS"
        case .savee: return "SAVEE"
        case .manifest: return "manifest"
        case .folders: return "label folders"
        }
    }
}
