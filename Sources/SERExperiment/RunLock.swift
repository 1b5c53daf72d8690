import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<run folder>/run.lock`, held while one `serlab run` writes that folder,
/// so a second process on the same folder stops with a message naming the holder's process id.
/// The kernel drops the lock when the process dies, so a killed run never leaves a stale lock.
public final class RunLock: @unchecked Sendable {
    public let url: URL
    private var descriptor: Int32

    /// Takes the lock or throws `ResultsError.cannotWrite` naming the process that holds it.
    public init(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent("run.lock")
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ResultsError.cannotWrite(path: url.path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            descriptor = -1
            throw ResultsError.cannotWrite(path: folder.path,
                                           reason: "another serlab run (\(holder.isEmpty ? "unknown process" : holder)) is writing this run folder; wait for it to finish or choose another --run-id")
        }
        let text = "process \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
    }

    /// Releases the lock (also done on deinit and by the kernel at exit).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
