import Foundation
import SERCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies an input file's content for the cache: size, modification time and SHA-256.
///
/// Size and modification time are the fast check; the content hash is the truth. A file whose size and
/// mtime match its cache entry is served without hashing; one whose mtime moved (touched, copied) is
/// hashed and still served when the content is unchanged.
public struct FileIdentity: Sendable, Equatable {
    /// Bytes.
    public var size: Int64
    /// Modification time in nanoseconds since 1970 (full `st_mtim` precision).
    public var modificationNanoseconds: Int64
    /// Lower-case hex SHA-256 of the file's bytes; empty until hashed.
    public var sha256: String

    public init(size: Int64, modificationNanoseconds: Int64, sha256: String) {
        self.size = size
        self.modificationNanoseconds = modificationNanoseconds
        self.sha256 = sha256
    }

    /// Size and mtime of `url` (no hashing). Throws `unreadableInput` for a missing file or a folder.
    public static func current(_ url: URL) throws -> FileIdentity {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw FeatureCacheError.unreadableInput(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FeatureCacheError.unreadableInput(path: url.path, reason: "not a regular file")
        }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        let nanoseconds = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        return FileIdentity(size: Int64(info.st_size), modificationNanoseconds: nanoseconds, sha256: "")
    }

    /// Hex SHA-256 of the file's bytes, read memory-mapped.
    public static func contentHash(_ url: URL) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw FeatureCacheError.unreadableInput(path: url.path, reason: error.localizedDescription)
        }
        return SHA256.hexDigest(of: data)
    }

    /// The wall clock in nanoseconds since 1970, as file timestamps count.
    static func nowNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Whether size and mtime agree (the fast check).
    func sameStat(as other: FileIdentity) -> Bool {
        size == other.size && modificationNanoseconds == other.modificationNanoseconds
    }
}
