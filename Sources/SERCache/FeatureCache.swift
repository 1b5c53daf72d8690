import Foundation
import SERAudio
import SERCore
import SERFeatures
import SERHDF5

/// Feature matrices of audio files, computed once per (corpus, feature spec) and kept in one HDF5 file.
///
/// ```swift
/// let cache = try FeatureCache(directory: cacheFolder, corpusName: "ravdess", spec: spec)
/// let matrices = try cache.features(for: urls) { done, total in print("\(done)/\(total)") }   // input order
/// print(cache.lastStatistics!.summary)
/// ```
///
/// Key: the spec (its `stableHash`, and its canonical JSON to guard against a weak hash) and
/// `featureCodeVersion` for the whole file; per input file its size, mtime and SHA-256. Change one
/// parameter and the file is a different one; change one audio file and only it is re-extracted; touch
/// one (same bytes) and it is re-hashed, not re-extracted.
///
/// Safe for several processes (and threads) at once: reads need no lock (the file is only ever replaced
/// by an atomic rename); a writer takes an exclusive `flock` on `<file>.lock`, merges what is on disk
/// now with what it extracted, writes a temporary file and renames it into place. A truncated, corrupt or
/// foreign cache file is reported in the statistics, never served, and rebuilt. Layout: docs/cache.md.
public final class FeatureCache: @unchecked Sendable {
    public let directory: URL
    public let corpusName: String
    public let spec: FeatureSpec
    /// `<directory>/<corpus>-<spec hash prefix>.h5`
    public let fileURL: URL
    /// At most this many files are hashed, decoded and extracted at once.
    public let threads: Int
    let key: CacheKey
    let extractor: FeatureExtractor
    private let statisticsLock = NSLock()
    private var storedStatistics: FeatureCacheStatistics?
    /// `verified`, read under the lock.
    var verifiedIdentities: [String: FileIdentity] { statisticsLock.withLock { verified } }
    /// The contents last read or written by this object, and the stamp of the file they came from: a
    /// later call finding the same file (same inode, size, mtime) skips reading and verifying it again.
    private var memo: (stamp: FileStamp, contents: CacheContents)?
    /// Identities (with SHA-256) of the files the last finished `featuresWithStatistics` served: each
    /// one either hashed in that call or matched by size + mtime to a non-racy entry.
    private var verified: [String: FileIdentity] = [:]

    /// Files ready out of files asked for (distinct paths), reported from worker threads; the last call
    /// has `done == total`. The caller decides whether and how to show it.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    /// Prepares the cache (creating `directory` if needed) and the extractor for `spec`; extraction uses
    /// at most `threads` threads (default: one per core).
    public init(directory: URL, corpusName: String, spec: FeatureSpec,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        precondition(threads >= 1, "threads must be >= 1, got \(threads)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FeatureCacheError.cannotWrite(path: directory.path, reason: "cannot create the cache folder: \(error.localizedDescription)")
        }
        self.directory = directory
        self.corpusName = corpusName
        self.spec = spec
        self.threads = threads
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let specJSON = String(decoding: try encoder.encode(spec), as: UTF8.self)
        key = CacheKey(corpusName: corpusName, specHash: spec.stableHash, specJSON: specJSON, featureCodeVersion: featureCodeVersion)
        fileURL = directory.appendingPathComponent("\(Self.safeName(corpusName))-\(Self.safeName(String(spec.stableHash.prefix(16)))).h5")
        extractor = try FeatureExtractor(spec: spec)
    }

    /// The statistics of the last finished `features(for:)` call.
    public var lastStatistics: FeatureCacheStatistics? { statisticsLock.withLock { storedStatistics } }

    /// The feature matrix of each file, in input order: from the cache when its key matches, else decoded
    /// (`AudioFile.read(url, sampleRate: spec.sampleRate)`) and extracted on `threads` threads, then
    /// stored. `progress` hears how many files are ready.
    ///
    /// Throws `FeatureCacheError` naming the file that failed (missing, not audio, ...); the files that
    /// did succeed are cached first.
    public func features(for urls: [URL], progress: Progress? = nil) throws -> [FeatureMatrix] {
        try featuresWithStatistics(for: urls, progress: progress).matrices
    }

    /// `features(for:progress:)` with what it did.
    public func featuresWithStatistics(for urls: [URL], progress: Progress? = nil) throws -> (matrices: [FeatureMatrix], statistics: FeatureCacheStatistics) {
        let start = Date()
        let paths = urls.map { $0.standardizedFileURL.path }
        var unique: [String] = []
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted { unique.append(path) }
        var identities: [String: FileIdentity] = [:]
        for path in unique { identities[path] = try FileIdentity.current(URL(fileURLWithPath: path)) }

        var contents = CacheContents()
        var rebuiltReason: String?
        switch loadCurrent() {
        case .absent: break
        case .invalid(let reason): rebuiltReason = reason
        case .valid(let loaded): contents = loaded
        }

        // Plan: cache hits by size + mtime; everything else goes to the workers (hash, maybe extract).
        var resolved: [String: CacheEntry] = [:]
        var work: [WorkItem] = []
        for path in unique {
            let identity = identities[path]!
            if let entry = contents.entries[path], entry.isServable(as: identity) {
                resolved[path] = entry
            } else {
                work.append(WorkItem(path: path, identity: identity, cached: contents.entries[path]))
            }
        }

        let extractionStart = Date()
        let hitCount = resolved.count, total = unique.count
        progress?(hitCount, total)
        var outcomes = perform(work, progress: progress.map { report in { @Sendable done in report(hitCount + done, total) } })
        // Cached rows whose columns differ from what the code computes now: the feature code changed
        // without a version bump. Serve nothing from this file.
        if let fresh = outcomes.lazy.compactMap({ $0.extractedColumns }).first, let cached = contents.columnNames,
           !contents.entries.isEmpty, fresh != cached {
            rebuiltReason = "its columns differ from what the feature code computes now (feature code changed without a version bump?)"
            contents = CacheContents()
            resolved = [:]
            work = unique.map { WorkItem(path: $0, identity: identities[$0]!, cached: nil) }
            outcomes = perform(work, progress: progress.map { report in { @Sendable done in report(done, total) } })
        }
        let extractionSeconds = Date().timeIntervalSince(extractionStart)

        // Columns: every file of one spec must agree (an empty cache says nothing about them).
        var columnNames = contents.entries.isEmpty ? nil : contents.columnNames
        var firstFailure: (index: Int, error: FeatureCacheError)?
        var failureCount = 0
        var updates: [CacheEntry] = []
        var extractedCount = 0, revalidatedCount = 0
        for (item, outcome) in zip(work, outcomes) {
            switch outcome {
            case .hit(let entry):
                resolved[item.path] = entry
                // Record it when the mtime moved, or when the new hash time ends its raciness.
                if entry.identity != item.cached?.identity || !entry.isRacy { updates.append(entry) }
                revalidatedCount += 1
            case .extracted(let entry, let columns, let storable):
                if columnNames == nil { columnNames = columns }
                if columns != columnNames {
                    throw FeatureCacheError.inconsistentColumns(path: item.path, expected: columnNames ?? [], found: columns)
                }
                resolved[item.path] = entry
                if storable { updates.append(entry) }
                extractedCount += 1
            case .failed(let error):
                failureCount += 1
                let index = unique.firstIndex(of: item.path)!
                if firstFailure == nil || index < firstFailure!.index { firstFailure = (index, error) }
            }
        }

        var wroteCache = false
        if !updates.isEmpty || (rebuiltReason != nil && !resolved.isEmpty) {
            try store(updates, columnNames: columnNames ?? [])
            wroteCache = true
        }
        if let firstFailure {
            if case .extractionFailed(let path, let reason, _) = firstFailure.error {
                throw FeatureCacheError.extractionFailed(path: path, reason: reason, otherFailures: failureCount - 1)
            }
            throw firstFailure.error
        }

        let matrices = paths.map { path -> FeatureMatrix in
            let entry = resolved[path]!
            return FeatureMatrix(frameCount: entry.frameCount, columnNames: columnNames ?? [], values: entry.values)
        }
        let frameCounts = matrices.map(\.frameCount)
        let statistics = FeatureCacheStatistics(
            cacheFile: fileURL, files: paths.count, hits: paths.count - extractedCount, revalidated: revalidatedCount,
            extracted: extractedCount, frames: frameCounts.reduce(0, +), columns: matrices.first?.columnCount ?? 0,
            minimumFrames: frameCounts.min() ?? 0, maximumFrames: frameCounts.max() ?? 0,
            seconds: Date().timeIntervalSince(start), extractionSeconds: extractionSeconds,
            rebuiltReason: rebuiltReason, wroteCache: wroteCache)
        statisticsLock.withLock {
            storedStatistics = statistics
            verified = resolved.mapValues(\.identity)
        }
        return (matrices, statistics)
    }

    // MARK: Work

    struct WorkItem: Sendable {
        var path: String
        var identity: FileIdentity
        /// The cache entry of this path whose size or mtime moved, checked by content hash first.
        var cached: CacheEntry?
    }

    enum Outcome: Sendable {
        /// A cached entry whose content hash still matches; its identity is updated to the new mtime.
        case hit(CacheEntry)
        /// `storable` is false when the file changed while it was read (served, not cached).
        case extracted(CacheEntry, columns: [String], storable: Bool)
        case failed(FeatureCacheError)

        var extractedColumns: [String]? {
            if case .extracted(_, let columns, _) = self { return columns }
            return nil
        }
        var entry: CacheEntry? {
            switch self {
            case .hit(let entry), .extracted(let entry, _, _): return entry
            case .failed: return nil
            }
        }
        var failure: FeatureCacheError? {
            if case .failed(let error) = self { return error }
            return nil
        }
    }

    /// Hashes, decodes and extracts `items` on `threads` threads; `progress` hears how many are done.
    private func perform(_ items: [WorkItem], progress: (@Sendable (Int) -> Void)?) -> [Outcome] {
        guard !items.isEmpty else { return [] }
        return parallelMap(count: items.count, threads: threads, progress: progress) { process(items[$0]) }
    }

    private func process(_ item: WorkItem) -> Outcome {
        let url = URL(fileURLWithPath: item.path)
        do {
            var identity = item.identity
            let hashedAt = FileIdentity.nowNanoseconds()
            identity.sha256 = try FileIdentity.contentHash(url)
            if var cached = item.cached, cached.identity.sha256 == identity.sha256, cached.identity.size == identity.size {
                cached.identity = identity
                cached.hashedAtNanoseconds = hashedAt
                return .hit(cached)
            }
            let clip = try AudioFile.read(url, sampleRate: spec.sampleRate)
            let matrix = extractor.extract(clip.samples)
            let after = try? FileIdentity.current(url)
            let storable = after.map { $0.sameStat(as: identity) } ?? false
            let entry = CacheEntry(path: item.path, identity: identity, hashedAtNanoseconds: hashedAt,
                                   frameCount: matrix.frameCount, values: matrix.values)
            return .extracted(entry, columns: matrix.columnNames, storable: storable)
        } catch let error as FeatureCacheError {
            if case .unreadableInput(let path, let reason) = error { return .failed(.extractionFailed(path: path, reason: reason, otherFailures: 0)) }
            return .failed(error)
        } catch {
            let reason = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            return .failed(.extractionFailed(path: item.path, reason: reason, otherFailures: 0))
        }
    }

    // MARK: Storing

    /// Under the lock: re-reads the file (another process may have added to it), merges `updates` in,
    /// drops entries whose files are gone, and replaces the file atomically.
    private func store(_ updates: [CacheEntry], columnNames: [String]) throws {
        let lock = try FileLock(fileURL.appendingPathExtension("lock"))
        defer { lock.unlock() }
        HDF5File.removeStaleTemporaries(for: fileURL)
        var merged = CacheContents(columnNames: columnNames)
        if case .valid(let current) = loadCurrent(), current.columnNames == columnNames || current.entries.isEmpty {
            for (path, entry) in current.entries where FileManager.default.fileExists(atPath: path) {
                merged.entries[path] = entry
            }
        }
        for entry in updates { merged.entries[entry.path] = entry }
        let stamp = try CacheFile.write(merged, key: key, to: fileURL)
        statisticsLock.withLock { memo = (stamp, merged) }
    }

    /// The cache file's contents, from `memo` when the file is the one it came from.
    func loadCurrent() -> CacheFile.LoadResult {
        guard let before = FileStamp(fileURL) else { return .absent }
        if let memo = statisticsLock.withLock({ memo }), memo.stamp == before { return .valid(memo.contents) }
        let result = CacheFile.load(fileURL, key: key)
        if case .valid(let contents) = result, FileStamp(fileURL) == before {
            statisticsLock.withLock { memo = (before, contents) }
        }
        return result
    }

    /// Letters, digits, "-", "_" and "." kept; anything else becomes "_".
    static func safeName(_ text: String) -> String {
        let mapped = text.unicodeScalars.map { scalar -> Character in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "-_.".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        }
        let name = String(mapped)
        return name.isEmpty ? "_" : name
    }
}

extension CacheEntry {
    /// Timestamps of some file systems are coarse (a few ms on ext4, 2 s on FAT): a file modified again
    /// that soon after it was hashed may keep its size and mtime. Such entries are re-hashed.
    static let racyMarginNanoseconds: Int64 = 2_000_000_000

    var isRacy: Bool { identity.modificationNanoseconds >= hashedAtNanoseconds - Self.racyMarginNanoseconds }

    /// Whether the cache serves this entry for a file whose size and mtime are now `current` without
    /// hashing it: same stat, and not racy. `features(for:)` plans by it and `knownContentHashes` vouches by it.
    func isServable(as current: FileIdentity) -> Bool { identity.sameStat(as: current) && !isRacy }
}
