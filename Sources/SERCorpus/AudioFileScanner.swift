import Foundation

/// A file under a corpus root that looks like audio.
public struct AudioCandidate: Hashable, Sendable {
    /// `/`-separated path relative to the scanned root.
    public var path: String
    public var url: URL

    /// The path's components: folders, then the file name.
    public var components: [String] { path.split(separator: "/").map(String.init) }
    public var fileName: String { components.last ?? path }
    /// The file name without its extension, when the extension is a known audio one or absent.
    public var stem: String { AudioFileScanner.stem(of: fileName) }
    /// The name of the folder holding the file ("" at the root).
    public var folder: String { components.count > 1 ? components[components.count - 2] : "" }
}

/// Finds audio files under a folder by known extension (wav, flac, aif, aiff, ogg, any case) or, for
/// files with another extension or none, by content (the RIFF/WAVE, fLaC, FORM/AIFF or OggS magic).
/// Hidden files, macOS resource forks (`._x`, `__MACOSX/`) are skipped.
public enum AudioFileScanner {
    public static let knownExtensions: Set<String> = ["wav", "wave", "flac", "aif", "aiff", "aifc", "ogg", "oga"]
    /// Extensions never taken for audio even when sniffed (text, archives, images).
    static let nonAudioExtensions: Set<String> = ["txt", "csv", "json", "md", "zip", "part", "pdf", "png", "jpg", "mp4", "doc", "docx", "xls", "xlsx", "html", "py", "m"]

    /// All audio files under `root`, sorted by path.
    public static func scan(_ root: URL) throws -> [AudioCandidate] {
        let root = root.standardizedFileURL.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw CorpusError.missingRoot(path: root.path, kind: nil)
        }
        guard isDirectory.boolValue else { throw CorpusError.notAFolder(path: root.path) }
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey],
                                                             options: [.skipsHiddenFiles]) else {
            throw CorpusError.unreadableFolder(path: root.path)
        }
        var found: [AudioCandidate] = []
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let name = url.lastPathComponent
            if name == "__MACOSX" || name.hasPrefix(".") { enumerator.skipDescendants(); continue }
            // Resolve symlinks so a folder of links to real audio works; skip folders.
            let resolved = url.resolvingSymlinksInPath()
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: resolved.path, isDirectory: &isDir), !isDir.boolValue else { continue }
            guard isAudio(url) else { continue }
            var relative = url.standardizedFileURL.path
            if relative.hasPrefix(rootPath) { relative.removeFirst(rootPath.count) }
            found.append(AudioCandidate(path: relative, url: url.standardizedFileURL))
        }
        return found.sorted { $0.path < $1.path }
    }

    /// True for a known audio extension, or for an unknown one whose first bytes are an audio magic.
    public static func isAudio(_ url: URL) -> Bool {
        let ext = url.pathExtension.lowercased()
        if knownExtensions.contains(ext) { return true }
        if nonAudioExtensions.contains(ext) { return false }
        return sniff(url) != nil
    }

    /// The container an audio file's first 12 bytes announce ("WAV", "FLAC", "AIFF", "OGG"), or nil.
    public static func sniff(_ url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 12), data.count >= 4 else { return nil }
        let bytes = [UInt8](data)
        func ascii(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        let head = ascii(0..<4)
        if head == "fLaC" { return "FLAC" }
        if head == "OggS" { return "OGG" }
        guard bytes.count >= 12 else { return nil }
        let form = ascii(8..<12)
        if (head == "RIFF" || head == "RF64") && form == "WAVE" { return "WAV" }
        if head == "FORM" && (form == "AIFF" || form == "AIFC") { return "AIFF" }
        return nil
    }

    /// `"a01.wav"` -> `"a01"`, `"a01"` -> `"a01"`; an unknown extension stays part of the stem.
    public static func stem(of fileName: String) -> String {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return fileName }
        let ext = fileName[fileName.index(after: dot)...].lowercased()
        return knownExtensions.contains(ext) ? String(fileName[..<dot]) : fileName
    }
}
