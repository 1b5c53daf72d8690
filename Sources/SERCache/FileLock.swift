import Foundation

/// An exclusive advisory lock on a lock file (`flock`), held until `unlock()` or release.
///
/// `flock` locks belong to an open file description, so two `FileLock`s on the same path exclude each
/// other across processes and across threads of one process alike. The lock file itself is left in place
/// (deleting it would race with a waiter that already opened it).
final class FileLock {
    let url: URL
    private var descriptor: Int32

    /// Blocks until the lock on `url` (created if missing) is held.
    init(_ url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FeatureCacheError.cannotWrite(path: url.path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let reason = String(cString: strerror(errno))
            close(descriptor)
            descriptor = -1
            throw FeatureCacheError.cannotWrite(path: url.path, reason: "cannot lock: \(reason)")
        }
    }

    func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
