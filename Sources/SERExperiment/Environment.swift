import Foundation
import SERCore
import SERFeatures
import SERResults

/// Gathers what environment.json (SERResults' `RunEnvironment`) records: versions, machine, threads,
/// seed, and a fingerprint of the data.
enum EnvironmentRecord {
    /// Hex SHA-256 of a file's bytes; tests pass a counting one.
    typealias FileHasher = @Sendable (URL) throws -> String

    /// `knownHashes`: SHA-256 of files someone already vouched for this run (the feature cache, see
    /// `FeatureProvider.knownContentHashes`); only the other files are hashed, in parallel, with `hashFile`.
    /// With `includeHashes` false nothing is hashed and every file says "not computed". The lines and the
    /// fingerprint do not depend on where a hash came from.
    static func record(dataset: LoadedDataset, threads: Int, seed: Int, includeHashes: Bool = true, knownHashes: [URL: String] = [:],
                       hashFile: FileHasher = { try SHA256.hexDigest(ofFile: $0) }) -> RunEnvironment {
        let sorted = dataset.items.sorted(by: { $0.path < $1.path })
        let hashes = includeHashes ? contentHashes(of: sorted.map(\.url), known: knownHashes, hashFile: hashFile)
                                   : [String](repeating: "not computed", count: sorted.count)
        var files: [RunEnvironment.DataFile] = []
        var listing = ""
        var totalBytes = 0
        for (item, hash) in zip(sorted, hashes) {
            let size = (try? FileManager.default.attributesOfItem(atPath: item.url.path)[.size] as? Int) ?? -1
            totalBytes += max(size, 0)
            listing += "\(item.path),\(size),\(hash)\n"
            files.append(RunEnvironment.DataFile(path: item.path, size: size, sha256: hash))
        }
        let processInfo = ProcessInfo.processInfo
        return RunEnvironment(
            serlabVersion: serlabVersion, gitCommit: gitCommit(), featureCodeVersion: featureCodeVersion, swift: swiftVersion,
            libraries: OrderedObject(libraryVersions()), os: processInfo.operatingSystemVersionString, cpu: cpuModel(),
            cores: processInfo.activeProcessorCount, threads: threads, seed: seed,
            data: RunEnvironment.DataRecord(
                corpus: dataset.corpusName, root: dataset.root.path, synthetic: dataset.synthetic, fileCount: dataset.items.count,
                totalBytes: totalBytes, fingerprint: SHA256.hexDigest(of: Data(listing.utf8)),
                fingerprintMethod: "sha256 of the sorted lines path,size,sha256 of every file used", files: files))
    }

    /// `record(...)` as environment.json holds it (tests read it back by key).
    static func json(dataset: LoadedDataset, threads: Int, seed: Int, includeHashes: Bool = true, knownHashes: [URL: String] = [:],
                     hashFile: FileHasher = { try SHA256.hexDigest(ofFile: $0) }) throws -> JSONValue {
        try JSONValueEncoder().encode(record(dataset: dataset, threads: threads, seed: seed, includeHashes: includeHashes,
                                             knownHashes: knownHashes, hashFile: hashFile))
    }

    /// The hash of each URL, in order: from `known` when there, else `hashFile` ("unreadable" when it
    /// throws), the unknown ones spread over the cores.
    static func contentHashes(of urls: [URL], known: [URL: String], hashFile: FileHasher) -> [String] {
        let missing = urls.indices.filter { known[urls[$0]] == nil }
        let computed = parallelMap(count: missing.count, threads: ProcessInfo.processInfo.activeProcessorCount, progress: nil) {
            (try? hashFile(urls[missing[$0]])) ?? "unreadable"
        }
        var hashes = urls.map { known[$0] ?? "" }
        for (index, hash) in zip(missing, computed) { hashes[index] = hash }
        return hashes
    }

    static var swiftVersion: String {
        #if swift(>=6.3)
        return "6.3 or later"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    /// `git rev-parse HEAD` of the current directory's checkout, with `-dirty` when it has changes.
    static func gitCommit() -> String {
        // Only a serlab checkout's commit says which code ran.
        guard let top = run("/usr/bin/git", ["rev-parse", "--show-toplevel"]),
              let manifest = try? String(contentsOfFile: top + "/Package.swift", encoding: .utf8),
              manifest.contains("name: \"serlab\"") else { return "unknown (not run from a serlab checkout)" }
        guard let commit = run("/usr/bin/git", ["rev-parse", "HEAD"]), !commit.isEmpty else { return "unknown" }
        let status = run("/usr/bin/git", ["status", "--porcelain", "--untracked-files=no"]) ?? ""
        return status.isEmpty ? commit : commit + "-dirty"
    }

    /// Debian package versions of the C libraries serlab links.
    static func libraryVersions() -> [(key: String, value: String)] {
        let packages = ["libsndfile1", "libsoxr0", "libfftw3-single3", "libopenblas0-pthread", "libhdf5-103-1"]
        return packages.map { package in
            (package, run("/usr/bin/dpkg-query", ["-W", "-f=${Version}", package]) ?? "unknown")
        }
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }

    static func run(_ executable: String, _ arguments: [String]) -> String? {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
