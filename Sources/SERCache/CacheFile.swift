import Foundation
import SERCore
import SERFeatures
import SERHDF5

/// One input file's cached features.
struct CacheEntry: Sendable, Equatable {
    /// Absolute, standardized path (the lookup key).
    var path: String
    var identity: FileIdentity
    /// When the content hash was taken (ns since 1970). An entry whose mtime is not clearly older than
    /// this is "racy" (the file may have changed again within the file system's timestamp granularity)
    /// and is re-hashed before it is served, as git does with its index.
    var hashedAtNanoseconds: Int64
    var frameCount: Int
    /// `frameCount x columnCount`, row-major.
    var values: [Float]
}

/// Everything one cache file holds, besides its key.
struct CacheContents: Sendable, Equatable {
    var columnNames: [String]?
    var entries: [String: CacheEntry] = [:]
}

/// What a cache file must have been written for: the spec (hash and canonical JSON) and the code version.
struct CacheKey: Sendable, Equatable {
    var corpusName: String
    var specHash: String
    var specJSON: String
    var featureCodeVersion: Int
}

/// The on-disk format (docs/cache.md): reading with full validation, writing to a temporary file that
/// is renamed into place.
enum CacheFile {
    static let formatName = "serlab-feature-cache"
    static let formatVersion: Int64 = 1

    enum LoadResult {
        case absent
        /// The file exists but must not be served; `reason` says why.
        case invalid(reason: String)
        case valid(CacheContents)
    }

    /// Reads and validates the cache at `url`: the seal first (`HDF5File.openSealed`: HDF5 only ever
    /// parses verified bytes, as a corrupt HDF5 heap can crash libhdf5), then completeness marker, format,
    /// key and shapes. Never throws: a bad file is `.invalid`, to be rebuilt.
    static func load(_ url: URL, key: CacheKey) -> LoadResult {
        guard FileManager.default.fileExists(atPath: url.path) else { return .absent }
        do {
            let file: HDF5File
            do {
                file = try HDF5File.openSealed(url)
            } catch let error as HDF5Error {
                return .invalid(reason: error.message)
            }
            defer { try? file.close() }
            let root = try file.root
            guard try root.hasAttribute("complete"), try root.attribute("complete", as: Int64.self) == 1 else {
                return .invalid(reason: "no completeness marker (the writer did not finish)")
            }
            guard try root.stringAttribute("format") == formatName else { return .invalid(reason: "not a serlab feature cache") }
            let version = try root.attribute("format_version", as: Int64.self)
            guard version == formatVersion else {
                return .invalid(reason: "cache format version \(version), this serlab writes \(formatVersion)")
            }
            let storedCode = try root.attribute("feature_code_version", as: Int64.self)
            guard storedCode == Int64(key.featureCodeVersion) else {
                return .invalid(reason: "written by feature code version \(storedCode), this serlab is version \(key.featureCodeVersion)")
            }
            guard try root.stringAttribute("spec_hash") == key.specHash, try root.stringAttribute("spec_json") == key.specJSON else {
                return .invalid(reason: "written for another feature spec")
            }

            let columnNames = try root.openDataset("column_names").readStrings()
            let files = try root.openGroup("files")
            let paths = try files.openDataset("path").readStrings()
            let sizes = try files.openDataset("size").read(Int64.self)
            let times = try files.openDataset("mtime_ns").read(Int64.self)
            let hashes = try files.openDataset("sha256").readStrings()
            let offsets = try files.openDataset("frame_offset").read(Int64.self)
            let hashedAt = try files.openDataset("hashed_at_ns").read(Int64.self)
            let featuresDataset = try root.openDataset("features")
            let shape = try featuresDataset.shape
            let count = paths.count
            guard sizes.count == count, times.count == count, hashes.count == count, hashedAt.count == count, offsets.count == count + 1 else {
                return .invalid(reason: "file tables disagree: \(count) paths, \(sizes.count) sizes, \(times.count) times, \(hashes.count) hashes, \(offsets.count) offsets")
            }
            guard shape.count == 2, shape[1] == columnNames.count else {
                return .invalid(reason: "features have shape \(shape), expected [frames, \(columnNames.count)]")
            }
            guard offsets.first == 0, offsets.last == Int64(shape[0]), zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                return .invalid(reason: "frame offsets do not partition the \(shape[0]) feature rows")
            }
            let values = try featuresDataset.read(Float.self)
            var entries: [String: CacheEntry] = [:]
            entries.reserveCapacity(count)
            let columns = columnNames.count
            for index in 0..<count {
                let start = Int(offsets[index]), end = Int(offsets[index + 1])
                let identity = FileIdentity(size: sizes[index], modificationNanoseconds: times[index], sha256: hashes[index])
                entries[paths[index]] = CacheEntry(path: paths[index], identity: identity, hashedAtNanoseconds: hashedAt[index], frameCount: end - start,
                                                   values: Array(values[(start * columns)..<(end * columns)]))
            }
            return .valid(CacheContents(columnNames: columnNames, entries: entries))
        } catch {
            return .invalid(reason: (error as? LocalizedError)?.errorDescription ?? "\(error)")
        }
    }

    /// Writes a sealed file (`HDF5File.writeSealed`: temporary file, checksum trailer, fsync, atomic
    /// rename): readers see the old file or the new one, never a partial one. Returns the stamp of the
    /// file written (taken before the rename, so it is ours).
    @discardableResult
    static func write(_ contents: CacheContents, key: CacheKey, to url: URL) throws -> FileStamp {
        let ordered = contents.entries.values.sorted { $0.path < $1.path }
        let columnNames = contents.columnNames ?? []
        var offsets: [Int64] = [0]
        offsets.reserveCapacity(ordered.count + 1)
        var values: [Float] = []
        values.reserveCapacity(ordered.reduce(0) { $0 + $1.values.count })
        for entry in ordered {
            values += entry.values
            offsets.append(offsets.last! + Int64(entry.frameCount))
        }
        var stamp: FileStamp?
        do {
            try HDF5File.writeSealed(to: url, beforeRename: { stamp = FileStamp($0) }) { root in
                try root.setAttribute("format", formatName)
                try root.setAttribute("format_version", formatVersion)
                try root.setAttribute("serlab_version", serlabVersion)
                try root.setAttribute("hdf5_version", hdf5LibraryVersion)
                try root.setAttribute("corpus", key.corpusName)
                try root.setAttribute("spec_hash", key.specHash)
                try root.setAttribute("spec_json", key.specJSON)
                try root.setAttribute("feature_code_version", Int64(key.featureCodeVersion))
                try root.setAttribute("file_count", Int64(ordered.count))
                try root.setAttribute("frame_count", offsets.last!)
                try root.setAttribute("written_at", ISO8601DateFormatter().string(from: Date()))
                try root.createStringDataset("column_names", strings: columnNames)
                try root.createDataset("features", values: values, shape: [Int(offsets.last!), columnNames.count])
                try root.createStringDataset("files/path", strings: ordered.map(\.path))
                try root.createDataset("files/size", values: ordered.map(\.identity.size), shape: [ordered.count])
                try root.createDataset("files/mtime_ns", values: ordered.map(\.identity.modificationNanoseconds), shape: [ordered.count])
                try root.createStringDataset("files/sha256", strings: ordered.map(\.identity.sha256), fixedLength: 64)
                try root.createDataset("files/hashed_at_ns", values: ordered.map(\.hashedAtNanoseconds), shape: [ordered.count])
                try root.createDataset("files/frame_offset", values: offsets, shape: [offsets.count])
                try root.createDataset("files/frame_count", values: ordered.map { Int64($0.frameCount) }, shape: [ordered.count])
                // Last, so that a file without it was never finished (h5py users can check it too).
                try root.setAttribute("complete", Int64(1))
            }
        } catch let error as HDF5Error {
            throw FeatureCacheError.cannotWrite(path: url.path, reason: error.errorDescription ?? "\(error)")
        }
        guard let stamp else { throw FeatureCacheError.cannotWrite(path: url.path, reason: "the temporary file vanished before its rename") }
        return stamp
    }

}

/// Which file is at a path: device, inode, size and mtime. A file replaced by rename, or written to,
/// gets another stamp.
struct FileStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modificationNanoseconds: Int64

    init?(_ url: URL) {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modificationNanoseconds = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
