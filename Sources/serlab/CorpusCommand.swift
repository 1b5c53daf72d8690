import ArgumentParser
import Foundation
import SERCorpus

/// `serlab corpus info|download`: check a corpus folder, get RAVDESS.
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Check a corpus folder or download a public corpus.",
        subcommands: [CorpusInfoCommand.self, CorpusDownloadCommand.self]
    )
}

extension CorpusKind: ExpressibleByArgument {}

struct CorpusInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Detect the corpus in a folder and print its files, speakers, labels, durations, formats and anything odd.",
        usage: "serlab corpus info <folder> [<options>]",
        discussion: "Example: serlab corpus info $SERLAB_CORPORA/ravdess"
    )

    @Argument(help: "The corpus folder (or a manifest file), or ravdess, savee or tess to look in $SERLAB_CORPORA.")
    var folder: String

    @Option(help: "The corpus kind (\(CorpusKind.allCases.map(\.rawValue).joined(separator: ", "))); detected from names when omitted.")
    var kind: CorpusKind?

    @Option(help: "A CSV or JSON manifest (for --kind manifest); default <folder>/manifest.csv or manifest.json.")
    var manifest: String?

    @Option(help: "Files read at once (default: the number of cores).")
    var threads: Int?

    @Flag(help: "Read headers and hashes only, not samples (no peak, clipping or silence check).")
    var headersOnly = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
        if manifest != nil, let kind, kind != .manifest { throw ValidationError("--manifest goes with --kind manifest, found --kind \(kind.rawValue)") }
    }

    func run() async throws {
        let start = Date()
        var root = URL(fileURLWithPath: folder)
        var kind = self.kind
        if !FileManager.default.fileExists(atPath: root.path), let named = CorpusKind(rawValue: folder), CorpusKind.published.contains(named) {
            root = try CorpusLocator().resolve(named).root
            kind = kind ?? named
        }
        let corpus: Corpus
        if let manifest {
            corpus = try Corpus.load(kind: .manifest, root: root, manifest: URL(fileURLWithPath: manifest))
        } else if let kind {
            corpus = try Corpus.load(kind: kind, root: root)
        } else {
            corpus = try Corpus.load(root: root)
        }
        let workers = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let report = CorpusInspector.inspect(corpus, decode: !headersOnly, threads: workers)
        print(report.render())
        print("checked \(corpus.utterances.count) files in \(String(format: "%.1f", Date().timeIntervalSince(start))) s on \(workers) threads")
    }
}

struct CorpusDownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download RAVDESS speech from Zenodo (resumable, checksum-verified) and check it; print how to get TESS and SAVEE.",
        usage: "serlab corpus download <corpus> [<options>]",
        discussion: """
        The archive goes to <dir>/\(CorpusSources.ravdessArchiveName) (partial: .part); run the \
        command again to resume. --base-url or $\(CorpusDownloader.baseURLEnvironmentVariable) replace \
        Zenodo (a mirror, or a test server).

        Example:
          serlab corpus download ravdess --to $SERLAB_CORPORA/ravdess
        """
    )

    @Argument(help: "ravdess, tess or savee.")
    var corpus: CorpusKind

    @Option(help: "Folder to unpack into (for RAVDESS its Actor_NN folders land directly in it).")
    var to: String?

    @Option(help: "Download from this base URL instead of Zenodo's record 1188976 files URL.")
    var baseURL: String?

    @Option(help: "Expected checksum, md5:<hex> or sha256:<hex>, or 'none' to skip verification (default: the md5 Zenodo lists, \(CorpusDownloader.ravdessSpeechMD5)).")
    var checksum: String?

    @Flag(help: "Keep the archive after unpacking.")
    var keepArchive = false

    func validate() throws {
        guard CorpusKind.published.contains(corpus) else {
            throw ValidationError("expected ravdess, tess or savee, found \(corpus.rawValue): a corpus of your own needs no download")
        }
        if corpus == .ravdess && to == nil { throw ValidationError("--to <dir> is required for ravdess") }
        if let checksum, checksum != "none", CorpusDownloader.Checksum(checksum) == nil {
            throw ValidationError("--checksum: expected md5:<32 hex digits>, sha256:<64 hex digits> or none, found '\(checksum)'")
        }
        if let baseURL, URL(string: baseURL)?.scheme == nil { throw ValidationError("--base-url: expected a URL, found '\(baseURL)'") }
    }

    func run() async throws {
        guard corpus == .ravdess, let to else {
            print("\(corpus.displayName) cannot be downloaded by serlab.")
            print(CorpusSources.howToGet(corpus))
            print("Expected layout: \(CorpusSources.layout(corpus)); then check it with `serlab corpus info <dir>`.")
            return
        }
        let expected: CorpusDownloader.Checksum? = checksum == "none" ? nil : checksum.flatMap(CorpusDownloader.Checksum.init) ?? CorpusDownloader.ravdessSpeechMD5
        if expected == nil { FileHandle.standardError.write(Data("warning: --checksum none: the archive is not verified\n".utf8)) }
        let downloader = CorpusDownloader.ravdess(baseURL: baseURL.flatMap(URL.init(string:)), checksum: expected)
        let folder = URL(fileURLWithPath: to)
        // Unbuffered, so it comes before the progress lines on stderr.
        FileHandle.standardOutput.write(Data("downloading \(downloader.sourceURL.absoluteString)\n".utf8))
        let archive = try await downloader.download(into: folder) { progress in
            let megabytes = Double(progress.receivedBytes) / 1_048_576
            let line: String
            if let total = progress.totalBytes, total > 0 {
                line = String(format: "\r  %.1f of %.1f MB (%.0f%%)", megabytes, Double(total) / 1_048_576, 100 * Double(progress.receivedBytes) / Double(total))
            } else {
                line = String(format: "\r  %.1f MB", megabytes)
            }
            FileHandle.standardError.write(Data(line.utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print(expected.map { "verified \($0)" } ?? "not verified (--checksum none)")
        let written = try CorpusDownloader.unpack(archive, into: folder)
        print("unpacked \(written.count) files into \(folder.path)")
        if !keepArchive { try FileManager.default.removeItem(at: archive) }
        let loaded = try Corpus.load(kind: .ravdess, root: folder)
        print(CorpusInspector.inspect(loaded).render())
    }
}
