import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A results folder `results/<name>/<run id>/` and its atomic file writes.
///
/// Every file is written to a temporary name in the same folder and renamed into place, so a reader
/// never sees half a file. A fold is finished when its `done` marker exists (written last); the run is
/// finished when `metrics.json` exists (written last).
public struct RunDirectory: Sendable {
    public var url: URL

    public init(url: URL) { self.url = url }

    public func foldURL(_ index: Int) -> URL { url.appendingPathComponent("folds/fold-\(index)", isDirectory: true) }

    public func isFoldDone(_ index: Int) -> Bool {
        FileManager.default.fileExists(atPath: foldURL(index).appendingPathComponent("done").path)
    }

    public var isFinished: Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent("metrics.json").path) }

    /// Removes an unfinished fold's leftovers so it is recomputed from scratch.
    public func discardUnfinishedFold(_ index: Int) throws {
        let folder = foldURL(index)
        if FileManager.default.fileExists(atPath: folder.path) && !isFoldDone(index) {
            try FileManager.default.removeItem(at: folder)
        }
    }

    /// Writes `text` to `relativePath` atomically (temporary file + rename).
    public func write(_ text: String, to relativePath: String) throws {
        try RunDirectory.atomicWrite(Data(text.utf8), to: url.appendingPathComponent(relativePath))
    }

    public static func atomicWrite(_ data: Data, to destination: URL) throws {
        let folder = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(getpid())")
        try data.write(to: temporary)
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ResultsError.cannotWrite(path: destination.path, reason: reason)
        }
    }

    /// Finds the newest unfinished run under `experimentFolder` whose `config.resolved.json` is
    /// exactly `resolvedConfig`: that run is resumed.
    public static func resumable(in experimentFolder: URL, resolvedConfig: String) -> RunDirectory? {
        newest(in: experimentFolder, resolvedConfig: resolvedConfig) { !$0.isFinished }
    }

    /// The newest run under `experimentFolder` (by run id) with exactly `resolvedConfig` that `accept`s.
    public static func newest(in experimentFolder: URL, resolvedConfig: String, where accept: (RunDirectory) -> Bool) -> RunDirectory? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: experimentFolder.path) else { return nil }
        for name in entries.sorted(by: >) where !name.hasPrefix(".") {
            let run = RunDirectory(url: experimentFolder.appendingPathComponent(name, isDirectory: true))
            guard accept(run),
                  let saved = try? String(contentsOf: run.url.appendingPathComponent("config.resolved.json"), encoding: .utf8),
                  saved == resolvedConfig else { continue }
            return run
        }
        return nil
    }

    /// The file a cluster submission records its job ids in (written by SERCluster, docs/cluster.md).
    public static let submissionRecord = "slurm.json"

    /// `<UTC yyyyMMdd-HHmmss>-<seed>`.
    public static func newRunID(seed: Int, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(formatter.string(from: date))-\(seed)"
    }
}

public enum ResultsError: LocalizedError, Equatable {
    case cannotWrite(path: String, reason: String)
    case corruptFold(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        case let .corruptFold(path, reason): return "\(path): finished fold cannot be read back: \(reason)"
        }
    }
}
