import Foundation
import SERCore
import SERFeatures
import Testing
import SERTestSupport
@testable import SERExperiment

/// Counts the files environment.json hashes itself (the runner's `hashFile`).
final class CountingHasher: @unchecked Sendable {
    private let lock = NSLock()
    private var hashed: [URL] = []

    var count: Int { lock.withLock { hashed.count } }
    var files: [URL] { lock.withLock { hashed } }

    var function: EnvironmentRecord.FileHasher {
        { url in
            self.lock.withLock { self.hashed.append(url) }
            return try SHA256.hexDigest(ofFile: url)
        }
    }
}

/// Computes features with `TestFeatureProvider` and vouches for the real hash of every `vouchEvery`-th
/// file; logs the order of the calls. `failFeatures` simulates a run killed during the features step.
final class SpyFeatureProvider: FeatureProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var log: [String] = []
    var vouchEvery = 2
    var failFeatures = false

    struct Killed: Error {}

    var calls: [String] { lock.withLock { log } }

    func features(for urls: [URL], progress: @escaping @Sendable (Int, Int) -> Void) throws -> [FeatureMatrix] {
        lock.withLock { log.append("features") }
        if failFeatures { throw Killed() }
        return try TestFeatureProvider().features(for: urls, progress: progress)
    }

    func knownContentHashes(for urls: [URL]) -> [URL: String] {
        lock.withLock { log.append("knownContentHashes") }
        var known: [URL: String] = [:]
        for (index, url) in urls.enumerated() where index % vouchEvery == 0 { known[url] = try? SHA256.hexDigest(ofFile: url) }
        return known
    }
}

@Suite(.serialized) struct EnvironmentTests {
    static let overrides = ["dataset.synthetic.speakers=4", "dataset.synthetic.utterancesPerLabel=2", "training.epochs=2",
                            "protocol.kind=speakerKFold", "protocol.folds=4", "output.bootstrapResamples=100"]

    static func config() throws -> (config: ExperimentConfig, tree: JSONValue) {
        let resolved = try ConfigLoader.resolve(nil, overrides: overrides)
        return (resolved.config, resolved.json)
    }

    /// The synthetic corpus under `folder/cache`, aged like a corpus on disk (a file hashed within 2 s of
    /// its mtime is "racy" and re-hashed by the cache).
    static func agedDataset(_ folder: URL) throws -> LoadedDataset {
        let dataset = try SyntheticDatasetSource().load(try config().config.dataset, cacheDirectory: folder.appendingPathComponent("cache"))
        for item in dataset.items {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -86_400)], ofItemAtPath: item.url.path)
        }
        return dataset
    }

    func runner(_ folder: URL, _ components: ExperimentComponents, runID: String, hasher: CountingHasher, hashData: Bool = true) throws -> ExperimentRunner {
        let (config, tree) = try Self.config()
        var options = RunOptions()
        options.resultsDirectory = folder.appendingPathComponent("results")
        options.cacheDirectory = folder.appendingPathComponent("cache")
        options.runID = runID
        options.hashData = hashData
        var runner = ExperimentRunner(config: config, resolvedConfig: tree, options: options, components: components, progress: SilentProgress())
        runner.hashFile = hasher.function
        return runner
    }

    static func environment(_ run: URL) throws -> JSONValue {
        try JSONParser.parse(Data(contentsOf: run.appendingPathComponent("environment.json")), source: "environment.json")
    }

    @Test func hashesVouchedForByTheFeatureCacheGiveTheFingerprintOfHashingEveryFile() throws {
        let folder = TestSupport.temporaryDirectory("serlab-environment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.agedDataset(folder)
        let urls = dataset.items.map(\.url)
        let everyFile = CountingHasher()
        let reference = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1, hashFile: everyFile.function)
        #expect(everyFile.count == urls.count)
        guard case .string(let fingerprint)? = reference["data"]?["fingerprint"] else { Issue.record("no fingerprint"); return }

        let spec = try Self.config().config.features
        let cacheFolder = folder.appendingPathComponent("features")
        for pass in ["cold", "warm"] {
            // A new provider each pass, as a new process would make.
            let provider = try ExperimentComponents.standard().features(spec, "synthetic", cacheFolder, 1)
            #expect(provider.knownContentHashes(for: urls).count == (pass == "cold" ? 0 : urls.count), "\(pass): before its features call")
            _ = try provider.features(for: urls) { _, _ in }
            let known = provider.knownContentHashes(for: urls)
            #expect(known.count == urls.count, "\(pass)")
            let hasher = CountingHasher()
            let environment = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1, knownHashes: known, hashFile: hasher.function)
            #expect(hasher.count == 0, "\(pass): hashed \(hasher.files.map(\.lastPathComponent))")
            #expect(environment["data"] == reference["data"], "\(pass)")
        }
        if let cached = try ExperimentComponents.standard().features(spec, "synthetic", cacheFolder, 1) as? CachedFeatureProvider {
            _ = try cached.features(for: urls) { _, _ in }
            let statistics = cached.cache.lastStatistics
            #expect(statistics?.extracted == 0 && statistics?.revalidated == 0, "a warm cache hashes no file: \(String(describing: statistics))")
        } else {
            Issue.record("the standard feature provider is not the cached one")
        }

        // A file rewritten after caching: its stale hash is not taken, it is hashed, and the fingerprint moves.
        let changed = dataset.items.sorted { $0.path < $1.path }[3].url
        try Data(contentsOf: urls.first { $0 != changed }!).write(to: changed)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3_600)], ofItemAtPath: changed.path)
        let provider = try ExperimentComponents.standard().features(spec, "synthetic", cacheFolder, 1)
        let known = provider.knownContentHashes(for: urls)
        #expect(known[changed] == nil)
        #expect(known.count == urls.count - 1)
        let hasher = CountingHasher()
        let environment = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1, knownHashes: known, hashFile: hasher.function)
        #expect(hasher.files == [changed])
        let rehashed = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1)
        #expect(environment["data"] == rehashed["data"])
        #expect(environment["data"]?["fingerprint"] != .string(fingerprint))
    }

    @Test func theFormatIsUnchanged() throws {
        let folder = TestSupport.temporaryDirectory("serlab-environment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.agedDataset(folder)
        let environment = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1)
        // The fingerprint as every earlier serlab computed it: sha256 of the sorted lines path,size,sha256.
        let listing = try dataset.items.sorted { $0.path < $1.path }.map { item in
            let size = try FileManager.default.attributesOfItem(atPath: item.url.path)[.size] as! Int
            return "\(item.path),\(size),\(try SHA256.hexDigest(ofFile: item.url))\n"
        }.joined()
        #expect(environment["data"]?["fingerprint"] == .string(SHA256.hexDigest(of: Data(listing.utf8))))
        #expect(environment["data"]?["fingerprintMethod"] == .string("sha256 of the sorted lines path,size,sha256 of every file used"))
        let unhashed = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1, includeHashes: false,
                                                  knownHashes: [dataset.items[0].url: "0000"])
        guard case .array(let files)? = unhashed["data"]?["files"] else { Issue.record("no files"); return }
        #expect(files.count == dataset.items.count)
        #expect(files.allSatisfy { $0["sha256"] == .string("not computed") })
    }

    @Test func theRunnerWritesEnvironmentAfterTheFeaturesAndHashesOnlyWhatTheProviderDidNotVouchFor() throws {
        let folder = TestSupport.temporaryDirectory("serlab-environment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.agedDataset(folder)
        let reference = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1)

        let spy = SpyFeatureProvider()
        var components = ExperimentComponents.test()
        components.features = { _, _, _, _ in spy }
        let hasher = CountingHasher()
        let run = try runner(folder, components, runID: "spy", hasher: hasher).run().directory
        #expect(spy.calls == ["features", "knownContentHashes"])
        #expect(hasher.count == dataset.items.count / 2, "every other file was vouched for")
        #expect(try Self.environment(run)["data"] == reference["data"])

        // hashData off: nothing hashed, nothing asked.
        let quiet = SpyFeatureProvider()
        components.features = { _, _, _, _ in quiet }
        let noHashes = CountingHasher()
        let unhashed = try runner(folder, components, runID: "unhashed", hasher: noHashes, hashData: false).run().directory
        #expect(noHashes.count == 0)
        #expect(quiet.calls == ["features"])
        guard case .array(let files)? = try Self.environment(unhashed)["data"]?["files"] else { Issue.record("no files"); return }
        #expect(files.allSatisfy { $0["sha256"] == .string("not computed") })
    }

    @Test func coldAndWarmRunsOnTheFeatureCacheHashNoFileForEnvironment() throws {
        let folder = TestSupport.temporaryDirectory("serlab-environment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.agedDataset(folder)
        let reference = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1)
        var components = ExperimentComponents.test()
        components.features = ExperimentComponents.standard().features
        for runID in ["cold", "warm"] {
            let hasher = CountingHasher()
            let run = try runner(folder, components, runID: runID, hasher: hasher).run().directory
            #expect(hasher.count == 0, "\(runID): hashed \(hasher.files.map(\.lastPathComponent))")
            #expect(try Self.environment(run)["data"] == reference["data"], "\(runID)")
        }
        // A non-caching provider: every file is hashed, same fingerprint.
        let hasher = CountingHasher()
        let run = try runner(folder, .test(), runID: "uncached", hasher: hasher).run().directory
        #expect(hasher.count == dataset.items.count)
        #expect(try Self.environment(run)["data"] == reference["data"])
    }

    @Test func aRunKilledDuringTheFeaturesGetsItsEnvironmentOnResume() throws {
        let folder = TestSupport.temporaryDirectory("serlab-environment")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try Self.agedDataset(folder)
        let reference = try EnvironmentRecord.json(dataset: dataset, threads: 1, seed: 1)
        let spy = SpyFeatureProvider()
        spy.failFeatures = true
        var components = ExperimentComponents.test()
        components.features = { _, _, _, _ in spy }
        #expect(throws: SpyFeatureProvider.Killed.self) { try runner(folder, components, runID: "killed", hasher: CountingHasher()).run() }
        let killed = folder.appendingPathComponent("results/synthetic_default/killed")
        #expect(FileManager.default.fileExists(atPath: killed.appendingPathComponent("config.resolved.json").path), "kept")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("environment.json").path))

        spy.failFeatures = false
        let summary = try runner(folder, components, runID: "killed", hasher: CountingHasher()).run()
        #expect(summary.directory.standardizedFileURL == killed.standardizedFileURL)
        #expect(try Self.environment(killed)["data"] == reference["data"])

        // Killed while training: environment.json is already there, and a resume leaves it as it is.
        #expect(throws: CentroidBackend.Killed.self) {
            try runner(folder, .test(failOnFold: 1), runID: "training", hasher: CountingHasher()).run()
        }
        let training = folder.appendingPathComponent("results/synthetic_default/training/environment.json")
        let written = try Data(contentsOf: training)
        let hasher = CountingHasher()
        _ = try runner(folder, .test(), runID: "training", hasher: hasher).run()
        #expect(hasher.count == 0)
        #expect(try Data(contentsOf: training) == written)
    }
}
