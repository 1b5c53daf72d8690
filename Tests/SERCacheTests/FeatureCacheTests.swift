import Foundation
import SERFeatures
import SERHDF5
import SERTestSupport
import Testing
@testable import SERCache

@Suite("Feature cache: keys and reuse")
struct FeatureCacheTests {
    @Test("Cached matrices equal fresh extraction bit for bit, in input order, and a second cache object only hits")
    func roundTrip() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 6)
        let spec = FeatureSpec()
        let cacheFolder = folder.appendingPathComponent("cache")
        let first = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: spec)
        let (matrices, statistics) = try first.featuresWithStatistics(for: files)
        #expect(statistics.extracted == 6)
        #expect(statistics.hits == 0)
        #expect(statistics.wroteCache)
        for (file, matrix) in zip(files, matrices) {
            #expect(CacheTestSupport.identical(matrix, try CacheTestSupport.freshFeatures(file, spec: spec)), "\(file.lastPathComponent)")
        }

        let order = [files[3], files[0], files[3], files[5]]
        let second = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: spec)
        let (again, secondStatistics) = try second.featuresWithStatistics(for: order)
        #expect(secondStatistics.extracted == 0)
        #expect(secondStatistics.hits == 4)
        #expect(!secondStatistics.wroteCache)
        #expect(second.lastStatistics == secondStatistics)
        let expected = [matrices[3], matrices[0], matrices[3], matrices[5]]
        #expect(zip(again, expected).allSatisfy { CacheTestSupport.identical($0, $1) })
        #expect(secondStatistics.frames == expected.reduce(0) { $0 + $1.frameCount })
    }

    @Test("The file on disk has the documented layout (docs/cache.md) and a completeness marker")
    func layout() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 3)
        let spec = FeatureSpec()
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "syn thetic/1", spec: spec)
        #expect(cache.fileURL.lastPathComponent.hasPrefix("syn_thetic_1-"))
        let matrices = try cache.features(for: files)
        let root = try HDF5File.open(cache.fileURL).root
        #expect(try root.attribute("complete", as: Int64.self) == 1)
        #expect(try root.stringAttribute("format") == "serlab-feature-cache")
        #expect(try root.attribute("format_version", as: Int64.self) == 1)
        #expect(try root.stringAttribute("spec_hash") == spec.stableHash)
        #expect(try root.attribute("feature_code_version", as: Int64.self) == Int64(featureCodeVersion))
        #expect(try root.attribute("file_count", as: Int64.self) == 3)
        #expect(try root.children() == ["column_names", "features", "files"])
        #expect(try root.openGroup("files").children() == ["frame_count", "frame_offset", "hashed_at_ns", "mtime_ns", "path", "sha256", "size"])
        let paths = try root.openDataset("files/path").readStrings()
        #expect(paths == files.map(\.standardizedFileURL.path).sorted())
        let offsets = try root.openDataset("files/frame_offset").read(Int64.self)
        let values = try root.openDataset("features").read(Float.self)
        let columns = matrices[0].columnCount
        #expect(try root.openDataset("features").shape == [Int(offsets.last!), columns])
        #expect(try root.openDataset("column_names").readStrings() == matrices[0].columnNames)
        for (index, path) in paths.enumerated() {
            let matrix = matrices[files.firstIndex { $0.standardizedFileURL.path == path }!]
            let rows = Array(values[(Int(offsets[index]) * columns)..<(Int(offsets[index + 1]) * columns)])
            #expect(rows.map(\.bitPattern) == matrix.values.map(\.bitPattern))
        }
        let hashes = try root.openDataset("files/sha256").readStrings()
        #expect(hashes[0] == (try FileIdentity.contentHash(URL(fileURLWithPath: paths[0]))))
        #expect(hashes.allSatisfy { $0.count == 64 })
    }

    @Test("Changing one file re-extracts only that file")
    func changedFile() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 5)
        let spec = FeatureSpec()
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: spec)
        _ = try cache.features(for: files)
        try CacheTestSupport.writeWAV(files[2], frequency: 1234, seconds: 0.5, seed: 99)
        let (matrices, statistics) = try cache.featuresWithStatistics(for: files)
        #expect(statistics.extracted == 1)
        #expect(statistics.hits == 4)
        #expect(CacheTestSupport.identical(matrices[2], try CacheTestSupport.freshFeatures(files[2], spec: spec)))
        #expect(try cache.featuresWithStatistics(for: files).statistics.extracted == 0)
    }

    @Test("A touched file (same bytes, new mtime) is re-hashed, not re-extracted, and its new mtime is recorded")
    func touchedFile() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 4)
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: FeatureSpec())
        let before = try cache.features(for: files)
        try CacheTestSupport.setModificationDate(files[1], Date(timeIntervalSinceNow: -3600))
        let (after, statistics) = try cache.featuresWithStatistics(for: files)
        #expect(statistics.extracted == 0)
        #expect(statistics.revalidated == 1)
        #expect(statistics.wroteCache)
        #expect(zip(before, after).allSatisfy { CacheTestSupport.identical($0, $1) })
        let third = try cache.featuresWithStatistics(for: files).statistics
        #expect(third.revalidated == 0)
        #expect(third.hits == 4)
        #expect(!third.wroteCache)
    }

    @Test("A file changed right after it was cached, keeping its size and mtime, is re-hashed and re-extracted")
    func racyFile() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = folder.appendingPathComponent("audio")
        try FileManager.default.createDirectory(at: audio, withIntermediateDirectories: true)
        let file = audio.appendingPathComponent("fresh.wav")
        try CacheTestSupport.writeWAV(file, frequency: 300, seconds: 0.4, seed: 1)  // mtime: now
        let spec = FeatureSpec()
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: spec)
        _ = try cache.features(for: [file])
        // Same size, same mtime, other content: what a coarse file-system clock lets happen.
        let identity = try FileIdentity.current(file)
        try CacheTestSupport.writeWAV(file, frequency: 900, seconds: 0.4, seed: 2)
        var time = [timespec(tv_sec: Int(identity.modificationNanoseconds / 1_000_000_000), tv_nsec: Int(identity.modificationNanoseconds % 1_000_000_000))]
        time.append(time[0])
        #expect(utimensat(AT_FDCWD, file.path, time, 0) == 0)
        #expect(try FileIdentity.current(file).sameStat(as: identity))
        let (matrices, statistics) = try cache.featuresWithStatistics(for: [file])
        #expect(statistics.extracted == 1)
        #expect(CacheTestSupport.identical(matrices[0], try CacheTestSupport.freshFeatures(file, spec: spec)))
        #expect(try cache.featuresWithStatistics(for: [file]).statistics.extracted == 0)
    }

    @Test("Changing one spec parameter re-extracts everything, with the new parameter's numbers")
    func changedParameter() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 3)
        let cacheFolder = folder.appendingPathComponent("cache")
        var spec = FeatureSpec()
        _ = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: spec).features(for: files)
        spec.sampleRate = 16000
        let cache = try FeatureCache(directory: cacheFolder, corpusName: "synthetic", spec: spec)
        let (matrices, statistics) = try cache.featuresWithStatistics(for: files)
        #expect(statistics.extracted == 3)
        #expect(statistics.hits == 0)
        for (file, matrix) in zip(files, matrices) {
            #expect(CacheTestSupport.identical(matrix, try CacheTestSupport.freshFeatures(file, spec: spec)))
        }
        #expect(try cache.featuresWithStatistics(for: files).statistics.hits == 3)
    }

    @Test("A file written for another feature-code version or spec is not served")
    func otherKey() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 2)
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: FeatureSpec())
        _ = try cache.features(for: files)
        guard case .valid = CacheFile.load(cache.fileURL, key: cache.key) else {
            Issue.record("the cache just written does not load")
            return
        }
        var newerCode = cache.key
        newerCode.featureCodeVersion += 1
        guard case .invalid(let reason) = CacheFile.load(cache.fileURL, key: newerCode) else {
            Issue.record("a cache of another feature-code version was accepted")
            return
        }
        #expect(reason.contains("feature code version"))
        var otherSpec = cache.key
        otherSpec.specJSON += " "
        guard case .invalid = CacheFile.load(cache.fileURL, key: otherSpec) else {
            Issue.record("a cache of another spec was accepted")
            return
        }
    }

    @Test("Cached columns that differ from what the code computes now (code changed, version not bumped) are all re-extracted")
    func staleColumns() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 4)
        let spec = FeatureSpec()
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: spec)
        var stale = CacheContents(columnNames: ["old_column"])
        for file in files.prefix(3) {
            var identity = try FileIdentity.current(file)
            identity.sha256 = try FileIdentity.contentHash(file)
            stale.entries[file.standardizedFileURL.path] = CacheEntry(path: file.standardizedFileURL.path, identity: identity,
                                                                      hashedAtNanoseconds: FileIdentity.nowNanoseconds(), frameCount: 1, values: [42])
        }
        try CacheFile.write(stale, key: cache.key, to: cache.fileURL)
        let (matrices, statistics) = try cache.featuresWithStatistics(for: files)
        #expect(statistics.rebuiltReason?.contains("columns differ") == true)
        #expect(statistics.extracted == 4)
        for (file, matrix) in zip(files, matrices) {
            #expect(CacheTestSupport.identical(matrix, try CacheTestSupport.freshFeatures(file, spec: spec)))
        }
        guard case .valid(let contents) = CacheFile.load(cache.fileURL, key: cache.key) else {
            Issue.record("the rebuilt cache does not load")
            return
        }
        #expect(contents.columnNames != ["old_column"])
        #expect(contents.entries.count == 4)
    }

    @Test("A bad input file fails with an error naming it; the good files are cached anyway")
    func badInput() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = folder.appendingPathComponent("audio")
        let files = try CacheTestSupport.makeCorpus(audio, count: 3)
        let bad = audio.appendingPathComponent("not-audio.wav")
        try Data("plain text, not audio".utf8).write(to: bad)
        let cache = try FeatureCache(directory: folder.appendingPathComponent("cache"), corpusName: "synthetic", spec: FeatureSpec())
        let error = #expect(throws: FeatureCacheError.self) { try cache.features(for: files + [bad]) }
        #expect(error?.errorDescription?.contains(bad.path) == true)
        #expect(try cache.featuresWithStatistics(for: files).statistics.hits == 3)

        let missing = audio.appendingPathComponent("absent.wav")
        let missingError = #expect(throws: FeatureCacheError.self) { try cache.features(for: [missing]) }
        #expect(missingError?.errorDescription?.contains(missing.path) == true)
    }

    @Test("One matrix to its own HDF5 file and back, bit-exact")
    func matrixFile() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let matrix = FeatureMatrix(frameCount: 3, columnNames: ["a", "b"], values: [1, -0.0, .nan, 4, .leastNonzeroMagnitude, -6])
        let url = folder.appendingPathComponent("one.h5")
        try FeatureMatrixFile.write(matrix, spec: FeatureSpec(), source: folder, to: url)
        #expect(CacheTestSupport.identical(try FeatureMatrixFile.read(url), matrix))
    }
}
