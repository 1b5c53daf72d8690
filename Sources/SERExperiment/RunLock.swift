import Foundation
import SERCache
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<run folder>/run.lock` (SERCache's `FileLock`, not waiting), held while
/// one `serlab run` writes that folder, so a second process on the same folder stops with a message
/// naming the holder's process id. The kernel drops the lock when the process dies, so a killed run
/// never leaves a stale lock (its file stays until the next run of the folder ends, harmless).
public final class RunLock: @unchecked Sendable {
    public let url: URL
    private let lock: FileLock

    /// Takes the lock `<folder>/<name>` or throws `ResultsError.cannotWrite` naming the process that holds
    /// it. A cluster's fold task locks only its fold (`RunLock.foldLockName`), so tasks of one run write
    /// their folds side by side.
    public init(folder: URL, name: String = "run.lock") throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent(name)
        let taken: FileLock?
        do throws(FileLock.Failure) {
            taken = try FileLock.attempt(url)
        } catch {
            throw ResultsError.cannotWrite(path: url.path, reason: error.description)
        }
        guard let taken else {
            let holder = (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw ResultsError.cannotWrite(path: folder.path,
                                           reason: "another serlab run (\(holder.isEmpty ? "unknown process" : holder)) is writing this \(name == "run.lock" ? "run folder" : "fold"); wait for it to finish or choose another --run-id")
        }
        lock = taken
        lock.replaceContents(with: "process \(getpid()) on \(ProcessInfo.processInfo.hostName)\n")
    }

    /// The lock a fold task holds on fold `index` of a run folder.
    public static func foldLockName(_ index: Int) -> String { ".fold-\(index).lock" }

    /// Removes run.lock and releases the lock (the lock alone is also released on deinit and by the
    /// kernel at exit).
    public func release() { lock.unlockAndRemove() }
}
