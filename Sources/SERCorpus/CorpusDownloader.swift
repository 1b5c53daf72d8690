import Foundation
import SERCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ZIPFoundation

/// Downloads a corpus archive over HTTP(S) with progress and resume, verifies its checksum, unpacks it.
///
/// The archive is written to `<folder>/<fileName>.part` as it arrives, so an interrupted transfer
/// (within `attempts` tries, or a later run) continues with an HTTP `Range: bytes=<n>-` request; a
/// server answering 200 instead of 206 restarts it. A finished file is renamed to `<folder>/<fileName>`,
/// checked against `checksum` (a mismatch deletes it: the next run starts afresh), then unpacked into
/// `folder` (entries checked by their CRC-32, paths escaping the folder refused).
public struct CorpusDownloader: Sendable {
    /// An expected digest, written `md5:<hex>` (as Zenodo publishes) or `sha256:<hex>`.
    public enum Checksum: Sendable, Equatable, CustomStringConvertible {
        case md5(String)
        case sha256(String)

        public init?(_ text: String) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isHexDigit) else { return nil }
            switch parts[0].lowercased() {
            case "md5" where parts[1].count == 32: self = .md5(parts[1].lowercased())
            case "sha256" where parts[1].count == 64: self = .sha256(parts[1].lowercased())
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .md5(let hex): return "md5:\(hex)"
            case .sha256(let hex): return "sha256:\(hex)"
            }
        }

        func compute(_ url: URL) throws -> String {
            switch self {
            case .md5: return "md5:" + (try MD5.hexDigest(ofFile: url))
            case .sha256: return "sha256:" + (try SERCore.SHA256.hexDigest(ofFile: url))
            }
        }
    }

    public struct Progress: Sendable {
        public var receivedBytes: Int64
        /// Total size when the server announced it.
        public var totalBytes: Int64?
    }

    /// Zenodo record 1188976, `Audio_Speech_Actors_01-24.zip`: the md5 Zenodo lists for it, as recorded in
    /// serlab's docs. It could not be checked against Zenodo from the offline machine serlab was written
    /// on; if Zenodo's page shows another value, pass that with `--checksum md5:<hex>`.
    public static let ravdessSpeechMD5 = Checksum.md5("bc696df654c87fed845eb13823edef8a")
    /// Overrides the base URL (tests point it at a local server; mirrors).
    public static let baseURLEnvironmentVariable = "SERLAB_DOWNLOAD_BASE_URL"

    public var baseURL: URL
    public var fileName: String
    public var checksum: Checksum?
    /// Tries per `download` call; each retry resumes where the last one stopped.
    public var attempts: Int
    /// Seconds without data before a try is abandoned.
    public var timeout: TimeInterval

    public init(baseURL: URL, fileName: String, checksum: Checksum?, attempts: Int = 3, timeout: TimeInterval = 60) {
        precondition(attempts >= 1, "attempts must be at least 1, got \(attempts)")
        self.baseURL = baseURL
        self.fileName = fileName
        self.checksum = checksum
        self.attempts = attempts
        self.timeout = timeout
    }

    /// RAVDESS speech from Zenodo, or from `baseURL` / `$SERLAB_DOWNLOAD_BASE_URL` when given.
    public static func ravdess(baseURL: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                               checksum: Checksum? = ravdessSpeechMD5) -> CorpusDownloader {
        let base = baseURL ?? environment[baseURLEnvironmentVariable].flatMap { $0.isEmpty ? nil : URL(string: $0) }
            ?? URL(string: CorpusSources.ravdessBaseURL)!
        return CorpusDownloader(baseURL: base, fileName: CorpusSources.ravdessArchiveName, checksum: checksum)
    }

    /// `<baseURL>/<fileName>?download=1` (Zenodo serves the file itself with that query).
    public var sourceURL: URL {
        var components = URLComponents(url: baseURL.appendingPathComponent(fileName), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "download", value: "1")]
        return components.url!
    }

    /// Downloads (or finishes downloading) the archive into `folder`, verifies it and returns its location.
    public func download(into folder: URL, progress: (@Sendable (Progress) -> Void)? = nil) async throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let archive = folder.appendingPathComponent(fileName)
        let partial = folder.appendingPathComponent(fileName + ".part")
        if FileManager.default.fileExists(atPath: archive.path) {
            // A finished archive from an earlier run: keep it when it checks out (verify deletes it otherwise).
            if (try? verify(archive)) == true { return archive }
        }
        var lastError: Error?
        for _ in 0..<attempts {
            do {
                try await transfer(to: partial, progress: progress)
                lastError = nil
                break
            } catch let error as DownloadError where !error.isRetryable {
                throw error
            } catch {
                lastError = error
            }
        }
        if let lastError {
            let attributes = try? FileManager.default.attributesOfItem(atPath: partial.path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            throw DownloadError.interrupted(url: sourceURL.absoluteString, partial: partial.path, receivedBytes: size,
                                            reason: lastError.localizedDescription)
        }
        if FileManager.default.fileExists(atPath: archive.path) { try FileManager.default.removeItem(at: archive) }
        try FileManager.default.moveItem(at: partial, to: archive)
        try verify(archive)
        return archive
    }

    /// True when the file matches `checksum` (or none is set); on a mismatch deletes the file and throws.
    @discardableResult
    func verify(_ archive: URL) throws -> Bool {
        guard let checksum else { return true }
        let found = try checksum.compute(archive)
        guard found == checksum.description else {
            try? FileManager.default.removeItem(at: archive)
            throw DownloadError.checksumMismatch(path: archive.path, expected: checksum.description, found: found)
        }
        return true
    }

    /// Unpacks `archive` into `folder`, replacing files already there; returns the paths written.
    @discardableResult
    public static func unpack(_ archive: URL, into folder: URL) throws -> [String] {
        let zip: Archive
        do { zip = try Archive(url: archive, accessMode: .read) } catch {
            throw DownloadError.badArchive(path: archive.path, reason: "expected a ZIP archive, found none (\(error))")
        }
        let base = folder.standardizedFileURL
        var written: [String] = []
        for entry in zip {
            let path = entry.path
            if path.hasPrefix("__MACOSX") || path.split(separator: "/").contains(where: { $0.hasPrefix("._") }) { continue }
            let destination = base.appendingPathComponent(path).standardizedFileURL
            guard destination.path.hasPrefix(base.path + "/") else {
                throw DownloadError.badArchive(path: archive.path, reason: "entry \(path) would be written outside \(base.path)")
            }
            if entry.type == .directory {
                try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
                continue
            }
            if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
            do {
                let crc = try zip.extract(entry, to: destination)
                guard crc == entry.checksum else { throw Archive.ArchiveError.invalidCRC32 }
            } catch {
                try? FileManager.default.removeItem(at: destination)
                throw DownloadError.badArchive(path: archive.path, reason: "entry \(path) could not be unpacked (\(error)): the archive is corrupt; delete it and download again")
            }
            written.append(path)
        }
        guard !written.isEmpty else { throw DownloadError.badArchive(path: archive.path, reason: "expected files in the archive, found none") }
        return written
    }

    private func transfer(to partial: URL, progress: (@Sendable (Progress) -> Void)?) async throws {
        if !FileManager.default.fileExists(atPath: partial.path) {
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
                throw DownloadError.cannotWrite(path: partial.path)
            }
        }
        let handle = try FileHandle(forUpdating: partial)
        defer { try? handle.close() }
        let offset = Int64(try handle.seekToEnd())
        var request = URLRequest(url: sourceURL, timeoutInterval: timeout)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let delegate = TransferDelegate(handle: handle, offset: offset, url: sourceURL.absoluteString, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            delegate.setContinuation(continuation)
            session.dataTask(with: request).resume()
        }
    }
}
