import Foundation
import SERFeatures
import SERHDF5
import SERTestSupport
import Testing
@testable import SERCache

@Suite("Feature cache: damaged cache files")
struct FeatureCacheFaultTests {
    /// Builds a cache of `count` files, lets `damage` spoil the cache file, then checks that the next call
    /// reports the damage, serves freshly extracted numbers, and leaves a valid cache behind.
    func expectRebuilt(count: Int = 4, _ damage: (URL) throws -> Void) throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: count)
        let spec = FeatureSpec()
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: spec)
        _ = try cache.features(for: files)
        try damage(cache.fileURL)
        // A new object, as a new run would make (one object remembers what it wrote, by inode and mtime).
        let reopened = try FeatureCache(directory: cache.directory, corpusName: "synthetic", spec: spec)
        let (matrices, statistics) = try reopened.featuresWithStatistics(for: files)
        #expect(statistics.rebuiltReason != nil)
        #expect(statistics.extracted == count)
        #expect(statistics.wroteCache)
        for (file, matrix) in zip(files, matrices) {
            #expect(CacheTestSupport.identical(matrix, try CacheTestSupport.freshFeatures(file, spec: spec)))
        }
        let after = try FeatureCache(directory: cache.directory, corpusName: "synthetic", spec: spec).featuresWithStatistics(for: files).statistics
        #expect(after.hits == count)
        #expect(after.rebuiltReason == nil)
    }

    @Test("A truncated cache file is detected and rebuilt", arguments: [0.0, 0.1, 0.5, 0.9, 0.999])
    func truncated(fraction: Double) throws {
        try expectRebuilt { url in
            let data = try Data(contentsOf: url)
            try data.prefix(Int(Double(data.count) * fraction)).write(to: url)
        }
    }

    @Test("A garbage cache file is detected and rebuilt")
    func garbage() throws {
        try expectRebuilt { url in
            try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }).write(to: url)
        }
    }

    @Test("A cache file edited in place (its completeness marker removed with HDF5) is not served")
    func incomplete() throws {
        try expectRebuilt { url in
            let file = try HDF5File.open(url, mode: .readWrite)
            try file.root.deleteAttribute("complete")
            try file.close()
        }
    }

    @Test("A cache file whose values were changed in place with HDF5 fails its checksum")
    func changedValue() throws {
        try expectRebuilt { url in
            let file = try HDF5File.open(url, mode: .readWrite)
            let sizes = try file.root.openDataset("files/size")
            var values = try sizes.read(Int64.self)
            values[0] += 1  // a record no longer matching the checksum (features may be empty while the spec is a placeholder)
            try sizes.write(values)
            let features = try file.root.openDataset("features")
            var numbers = try features.read(Float.self)
            if !numbers.isEmpty { numbers[numbers.count / 2] += 1 }
            try features.write(numbers)
            try file.close()
        }
    }

    @Test("Any single flipped byte anywhere in the file is rejected before HDF5 parses it")
    func flippedBytes() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 3)
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: FeatureSpec())
        _ = try cache.features(for: files)
        guard case .valid(let original) = CacheFile.load(cache.fileURL, key: cache.key) else {
            Issue.record("fresh cache does not load")
            return
        }
        let pristine = try Data(contentsOf: cache.fileURL)
        #expect(original.entries.count == 3)
        var positions = Array(stride(from: 0, to: pristine.count, by: max(1, pristine.count / 400)))
        positions += Array((pristine.count - 60)..<pristine.count)  // the trailer itself
        for position in positions {
            var damaged = pristine
            damaged[position] ^= 0x5A
            try damaged.write(to: cache.fileURL)
            guard case .invalid = CacheFile.load(cache.fileURL, key: cache.key) else {
                Issue.record("byte \(position) of \(pristine.count) flipped and the file was still accepted")
                continue
            }
        }
    }
}
