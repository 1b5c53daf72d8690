import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a lock file (`flock`), held until `unlock()` or release.
///
/// `flock` locks belong to an open file description, so two `FileLock`s on the same path exclude each
/// other across processes and across threads of one process alike. The feature cache waits for the lock
/// (`init`) and leaves its lock file in place; SERExperiment's `RunLock` does not wait (`attempt`) and
/// removes its file when done (`unlockAndRemove`). Removal is safe because a taker checks, once it holds
/// the lock, that the path still names the file it locked, and starts over on the new file otherwise
/// (a taker that opened the file just before it was removed would else hold a lock nobody else sees).
public final class FileLock {
    /// Why the lock file could not be opened or locked (`strerror` text); callers wrap it in their own error.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public enum Step: Sendable { case open, lock }
        public var step: Step
        public var reason: String

        /// "cannot open the lock file: <reason>" or "cannot lock: <reason>".
        public var description: String {
            switch step {
            case .open: return "cannot open the lock file: \(reason)"
            case .lock: return "cannot lock: \(reason)"
            }
        }
    }

    public let url: URL
    private var descriptor: Int32

    /// Blocks until the lock on `url` (created if missing) is held.
    init(_ url: URL) throws {
        self.url = url
        switch FileLock.acquire(url, waiting: true) {
        case .success(let held):
            guard let held else { preconditionFailure("a waiting flock on \(url.path) returned without the lock") }
            descriptor = held
        case .failure(let failure):
            throw FeatureCacheError.cannotWrite(path: url.path, reason: failure.description)
        }
    }

    private init(url: URL, descriptor: Int32) {
        self.url = url
        self.descriptor = descriptor
    }

    /// Takes the lock on `url` (created if missing) without waiting: nil when another open file
    /// description holds it; throws `Failure` when the file cannot be opened or locked otherwise.
    public static func attempt(_ url: URL) throws(Failure) -> FileLock? {
        switch acquire(url, waiting: false) {
        case .success(let held): return held.map { FileLock(url: url, descriptor: $0) }
        case .failure(let failure): throw failure
        }
    }

    /// Opens (creating) and locks `url`: the descriptor, nil when not waiting and the lock is held elsewhere.
    /// Starts over when the file was removed or replaced between `open` and `flock` (see the type's note).
    private static func acquire(_ url: URL, waiting: Bool) -> Result<Int32?, Failure> {
        while true {
            let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { return .failure(Failure(step: .open, reason: String(cString: strerror(errno)))) }
            while flock(descriptor, waiting ? LOCK_EX : LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                if code == EINTR { continue }
                close(descriptor)
                if !waiting && code == EWOULDBLOCK { return .success(nil) }
                return .failure(Failure(step: .lock, reason: String(cString: strerror(code))))
            }
            if names(url, descriptor) { return .success(descriptor) }
            close(descriptor)
        }
    }

    /// Whether `url` still names the file open as `descriptor` (same device and inode).
    private static func names(_ url: URL, _ descriptor: Int32) -> Bool {
        var held = stat(), current = stat()
        guard fstat(descriptor, &held) == 0, stat(url.path, &current) == 0 else { return false }
        return held.st_dev == current.st_dev && held.st_ino == current.st_ino
    }

    /// Replaces the lock file's contents with `text` (who holds it, for the message a refused taker prints).
    /// Best effort: a failed write leaves the lock held.
    public func replaceContents(with text: String) {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Removes the lock file, then releases the lock: no file is left behind, and a taker that opened
    /// the old file meanwhile notices and takes a new one.
    public func unlockAndRemove() {
        guard descriptor >= 0 else { return }
        _ = unlink(url.path)
        unlock()
    }

    public func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
