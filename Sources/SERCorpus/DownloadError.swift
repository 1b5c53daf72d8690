import Foundation

/// Why a download failed. Every case names the URL or file.
public enum DownloadError: LocalizedError, Equatable {
    case httpStatus(url: String, status: Int)
    case interrupted(url: String, partial: String, receivedBytes: Int64, reason: String)
    case checksumMismatch(path: String, expected: String, found: String)
    case badArchive(path: String, reason: String)
    case cannotWrite(path: String)
    case unexpectedRange(url: String, expectedStart: Int64, found: String)

    var isRetryable: Bool {
        switch self {
        case .httpStatus(_, let status): return status >= 500
        case .interrupted, .unexpectedRange: return true
        default: return false
        }
    }

    public var errorDescription: String? {
        switch self {
        case .httpStatus(let url, let status):
            return "\(url): expected the archive (HTTP 200 or 206), found HTTP \(status)"
        case .interrupted(let url, let partial, let received, let reason):
            return "\(url): download interrupted after \(received) bytes (\(reason)); run the same command again to resume from \(partial)"
        case .checksumMismatch(let path, let expected, let found):
            return "\(path): checksum mismatch: expected \(expected), found \(found). The download is corrupt or not the published file; it was deleted, run the command again (or pass the checksum Zenodo shows with --checksum)."
        case .badArchive(let path, let reason):
            return "\(path): \(reason)"
        case .cannotWrite(let path):
            return "\(path): cannot write the download here"
        case .unexpectedRange(let url, let start, let found):
            return "\(url): asked to resume at byte \(start), the server answered Content-Range '\(found)'"
        }
    }
}
