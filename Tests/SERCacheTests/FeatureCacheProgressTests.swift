import Foundation
import SERFeatures
import SERTestSupport
import Testing
@testable import SERCache
#if canImport(Glibc)
import Glibc
#endif

@Suite("Feature cache: progress and threads")
struct FeatureCacheProgressTests {
    /// Progress calls, with whether each came from the thread that called the cache.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private let caller = pthread_self()
        private var calls: [(done: Int, total: Int)] = []
        private(set) var fromOtherThreads = 0
        func record(_ done: Int, _ total: Int) {
            let onCaller = pthread_equal(pthread_self(), caller) != 0
            lock.withLock {
                calls.append((done, total))
                if !onCaller { fromOtherThreads += 1 }
            }
        }
        var pairs: [[Int]] { lock.withLock { calls.map { [$0.done, $0.total] } } }
    }

    @Test("Progress counts ready files out of all, cache hits first, and ends at done == total")
    func progressCountsReadyFiles() throws {
        let folder = TestSupport.temporaryDirectory("cache-progress")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 5)
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: FeatureSpec(), threads: 1)
        let cold = Calls()
        _ = try cache.features(for: Array(files.prefix(4)), progress: cold.record)
        #expect(cold.pairs == [[0, 4], [1, 4], [2, 4], [3, 4], [4, 4]])
        let warm = Calls()
        _ = try cache.features(for: files + [files[0]], progress: warm.record)
        #expect(warm.pairs == [[4, 5], [5, 5]], "four hits at once, then the new file; a repeated path counts once")
    }

    @Test("threads: 1 extracts on the calling thread only (the run's training.threads bounds extraction)")
    func oneThreadStaysOnTheCaller() throws {
        let folder = TestSupport.temporaryDirectory("cache-threads")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 8)
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: FeatureSpec(), threads: 1)
        #expect(cache.threads == 1)
        let calls = Calls()
        let statistics = try cache.featuresWithStatistics(for: files, progress: calls.record).statistics
        #expect(statistics.extracted == 8)
        #expect(calls.pairs.count == 9)
        #expect(calls.fromOtherThreads == 0, "a worker thread reported: extraction used more than one thread")
    }
}
