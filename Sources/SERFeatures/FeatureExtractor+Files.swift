import Dispatch
import Foundation
import SERAudio

extension FeatureExtractor {
    /// Decodes `url` (any format libsndfile reads, by content), averages channels, resamples to
    /// `spec.sampleRate` with libsoxr HQ (as `librosa.load(url, sr=spec.sampleRate)`), and extracts.
    /// Throws `AudioError` naming the file.
    public func extract(file url: URL) throws -> FeatureMatrix {
        extract(try AudioFile.read(url, sampleRate: spec.sampleRate).samples)
    }

    /// `extract(file:)` for every URL on `threads` workers (all cores by default), one file per task.
    /// Results come back in input order; a bad file gives its error in its slot and does not stop the
    /// others. `progress`, if given, is called (from worker threads) with the number of files done.
    public func extractFiles(_ urls: [URL], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                             progress: (@Sendable (_ completed: Int) -> Void)? = nil) -> [Result<FeatureMatrix, any Error>] {
        parallelMap(count: urls.count, threads: threads, progress: progress) { index in
            Result { try self.extract(file: urls[index]) }
        }
    }

    /// `extract` for many in-memory clips on `threads` workers, in input order.
    public func extractMany(_ clips: [[Float]], threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [FeatureMatrix] {
        parallelMap(count: clips.count, threads: threads, progress: nil) { self.extract(clips[$0]) }
    }
}

/// `body(0..<count)` on `threads` workers pulling the next index from a shared counter (so long and
/// short files balance), results in index order.
func parallelMap<T: Sendable>(count: Int, threads: Int, progress: (@Sendable (Int) -> Void)?,
                              _ body: @Sendable (Int) -> T) -> [T] {
    precondition(threads >= 1, "threads must be >= 1, got \(threads)")
    let slots = ParallelSlots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: min(threads, max(count, 1))) { _ in
        while let index = slots.claim() {
            let value = body(index)
            let done = slots.store(value, at: index)
            progress?(done)
        }
    }
    return slots.results()
}

/// Lock-guarded work counter and result slots shared by the workers of `parallelMap`.
private final class ParallelSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var completed = 0
    private var values: [T?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < values.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ value: T, at index: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        values[index] = value
        completed += 1
        return completed
    }

    func results() -> [T] {
        lock.lock(); defer { lock.unlock() }
        return values.map { $0! }
    }
}
