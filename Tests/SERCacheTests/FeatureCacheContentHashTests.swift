import Foundation
import SERCore
import SERFeatures
import SERTestSupport
import Testing
@testable import SERCache

@Suite("Feature cache: content hashes it can vouch for")
struct FeatureCacheContentHashTests {
    /// Every file's SHA-256, read from disk now.
    static func hashesOnDisk(_ urls: [URL]) throws -> [URL: String] {
        Dictionary(uniqueKeysWithValues: try urls.map { ($0, try SHA256.hexDigest(ofFile: $0)) })
    }

    @Test("After a cold and a warm call the cache vouches for every file, with the hashes on disk, and the warm call hashes nothing")
    func coldAndWarm() throws {
        let folder = TestSupport.temporaryDirectory("cache-hashes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 4)
        let expected = try Self.hashesOnDisk(files)
        let cacheFolder = folder.appendingPathComponent("cache")
        let cold = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        #expect(cold.knownContentHashes(for: files).isEmpty, "nothing is known before anything was cached")
        let (_, coldStatistics) = try cold.featuresWithStatistics(for: files)
        #expect(coldStatistics.extracted == 4)
        #expect(cold.knownContentHashes(for: files) == expected)

        // A new process: the cache serves by size + mtime (no hashing) and still vouches for all of them.
        let warm = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        let (_, warmStatistics) = try warm.featuresWithStatistics(for: files)
        #expect(warmStatistics.extracted == 0 && warmStatistics.revalidated == 0, "a warm call hashes no file")
        #expect(warm.knownContentHashes(for: files) == expected)

        // Without a features call, from the stored entries; keyed by the URLs as given.
        let reader = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        let spelled = files.map { URL(fileURLWithPath: $0.deletingLastPathComponent().path + "/./" + $0.lastPathComponent) }
        let answer = reader.knownContentHashes(for: spelled)
        #expect(Set(answer.keys) == Set(spelled))
        #expect(spelled.indices.allSatisfy { answer[spelled[$0]] == expected[files[$0]] })
    }

    @Test("A file changed on disk after caching is not vouched for with its stale hash")
    func changedAfterCaching() throws {
        let folder = TestSupport.temporaryDirectory("cache-hashes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 3)
        let cacheFolder = folder.appendingPathComponent("cache")
        let cache = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        _ = try cache.features(for: files)
        let stale = try FileIdentity.contentHash(files[1])

        // Other bytes, same length, an mtime of its own (still old, so not racy).
        try CacheTestSupport.writeWAV(files[1], frequency: 990, seconds: 0.35, seed: 77)
        try CacheTestSupport.setModificationDate(files[1], Date(timeIntervalSinceNow: -3_600))
        #expect(try FileIdentity.contentHash(files[1]) != stale)

        let afterChange = cache.knownContentHashes(for: files)
        #expect(afterChange[files[1]] == nil, "the object that served it")
        #expect(afterChange[files[0]] != nil && afterChange[files[2]] != nil)
        let reader = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        #expect(reader.knownContentHashes(for: files)[files[1]] == nil, "the stored entries")

        // A deleted file is not vouched for either.
        try FileManager.default.removeItem(at: files[2])
        #expect(cache.knownContentHashes(for: files)[files[2]] == nil)

        // Once the cache has seen the new bytes, it vouches for them.
        _ = try cache.features(for: [files[0], files[1]])
        #expect(cache.knownContentHashes(for: [files[1]]) == [files[1]: try FileIdentity.contentHash(files[1])])
    }

    @Test("A stored entry hashed right after its file was written (racy) is vouched for only once re-hashed")
    func racyStoredEntry() throws {
        let folder = TestSupport.temporaryDirectory("cache-hashes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("fresh.wav")
        try CacheTestSupport.writeWAV(file, frequency: 330)
        let cacheFolder = folder.appendingPathComponent("cache")
        let writer = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        _ = try writer.features(for: [file])
        let hash = try FileIdentity.contentHash(file)
        #expect(writer.knownContentHashes(for: [file]) == [file: hash], "hashed in this object's call")

        let reader = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: FeatureSpec())
        #expect(reader.knownContentHashes(for: [file]).isEmpty, "a racy stored entry could hide a change")
        let (_, statistics) = try reader.featuresWithStatistics(for: [file])
        #expect(statistics.revalidated == 1)
        #expect(reader.knownContentHashes(for: [file]) == [file: hash])
    }
}
