import Foundation
import SERFeatures
import SERTestSupport
import Testing
@testable import SERCache

@Suite("Feature cache: concurrent writers")
struct FeatureCacheConcurrencyTests {
    /// Loads the cache file and checks it holds exactly `files`, each equal to a fresh extraction.
    func expectComplete(_ cacheFile: URL, key: CacheKey, files: [URL], spec: FeatureSpec) throws {
        guard case .valid(let contents) = CacheFile.load(cacheFile, key: key) else {
            Issue.record("the cache left by concurrent writers is not valid")
            return
        }
        #expect(Set(contents.entries.keys) == Set(files.map(\.standardizedFileURL.path)))
        for file in files {
            let fresh = try CacheTestSupport.freshFeatures(file, spec: spec)
            let entry = try #require(contents.entries[file.standardizedFileURL.path])
            #expect(entry.frameCount == fresh.frameCount)
            #expect(entry.values.map(\.bitPattern) == fresh.values.map(\.bitPattern))
            #expect(contents.columnNames == fresh.columnNames)
        }
    }

    @Test("Two serlab processes extracting overlapping folders into one cache at once leave the union, correct")
    func twoProcesses() throws {
        let serlab = try TestSupport.serlabExecutable()
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Folder A holds clips 0-5, folder B clips 3-8 (3-5 are copies of A's, so both extract them).
        let shared = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("a"), count: 6)
        let folderB = folder.appendingPathComponent("b")
        let onlyB = try CacheTestSupport.makeCorpus(folderB, count: 3, prefix: "extra")
        var filesB = onlyB
        for file in shared[3...] {
            let copy = folderB.appendingPathComponent(file.lastPathComponent)
            try FileManager.default.copyItem(at: file, to: copy)
            filesB.append(copy)
        }
        let spec = FeatureSpec()
        for round in 0..<3 {
            let cacheFolder = folder.appendingPathComponent("cache-\(round)")
            let processes = try ["a", "b"].map { name -> Process in
                let process = Process()
                process.executableURL = serlab
                process.arguments = ["features", folder.appendingPathComponent(name).path, "--corpus-name", "shared",
                                     "--cache-dir", cacheFolder.path, "--quiet"]
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): serlab exited with \(process.terminationStatus)")
            }
            let cache = try FeatureCache(directory: cacheFolder, corpusName: "shared", spec: spec)
            try expectComplete(cache.fileURL, key: cache.key, files: shared + filesB, spec: spec)
            #expect(try cache.featuresWithStatistics(for: shared + filesB).statistics.extracted == 0)
        }
    }

    @Test("Threads of one process with their own FeatureCache objects on one cache file leave the union")
    func threads() throws {
        let folder = TestSupport.temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try CacheTestSupport.makeCorpus(folder.appendingPathComponent("audio"), count: 8)
        let spec = FeatureSpec()
        let cacheFolder = folder.appendingPathComponent("cache")
        let groups = [Array(files[0..<4]), Array(files[2..<6]), Array(files[4..<8]), [files[0], files[7]]]
        let failures = LockedMessages()
        DispatchQueue.concurrentPerform(iterations: groups.count) { index in
            do {
                let cache = try FeatureCache(directory: cacheFolder, corpusName: "shared", spec: spec)
                _ = try cache.features(for: groups[index])
            } catch {
                failures.add("group \(index): \(error)")
            }
        }
        #expect(failures.messages == [])
        let cache = try FeatureCache(directory: cacheFolder, corpusName: "shared", spec: spec)
        try expectComplete(cache.fileURL, key: cache.key, files: files, spec: spec)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers == [])
    }
}

final class LockedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ message: String) { lock.withLock { list.append(message) } }
    var messages: [String] { lock.withLock { list } }
}
