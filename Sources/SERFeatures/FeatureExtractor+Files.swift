import Dispatch
import Foundation
import SERAudio
import SERCore

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
