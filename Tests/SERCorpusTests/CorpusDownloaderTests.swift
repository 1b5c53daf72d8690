import Foundation
import SERCore
import SERTestSupport
import Testing
import ZIPFoundation
@testable import SERCorpus

/// The RAVDESS download path against a loopback HTTP server serving a small RAVDESS-like zip.
@Suite(.serialized) struct CorpusDownloaderTests {
    static let archiveName = CorpusSources.ravdessArchiveName
    static let members = ["Actor_01/03-01-01-01-01-01-01", "Actor_01/03-01-05-02-01-02-01", "Actor_02/03-01-08-01-02-01-02"]

    /// A zip of three real RAVDESS files under their original folders (FLAC content named .wav, as a
    /// user's WAV download would be named), and its bytes.
    static func makeArchive() throws -> (Data, URL) {
        let ravdess = try TestSupport.corpus("ravdess")
        let staging = TestSupport.temporaryDirectory("zip-staging")
        let content = staging.appendingPathComponent("content")
        for member in members {
            let destination = content.appendingPathComponent(member + ".wav")
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: ravdess.appendingPathComponent(member + ".flac"), to: destination)
        }
        let archive = staging.appendingPathComponent(archiveName)
        try FileManager.default.zipItem(at: content, to: archive, shouldKeepParent: false)
        return (try Data(contentsOf: archive), staging)
    }

    func downloader(_ server: LoopbackHTTPServer, checksum: CorpusDownloader.Checksum?, attempts: Int = 3) -> CorpusDownloader {
        CorpusDownloader.ravdess(environment: [CorpusDownloader.baseURLEnvironmentVariable: server.baseURL.absoluteString], checksum: checksum)
            .with(attempts: attempts)
    }

    @Test(.realCorpora) func completeDownloadVerifiesUnpacksAndLoads() async throws {
        let (zip, staging) = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: staging) }
        let server = LoopbackHTTPServer(body: zip, path: "/files/\(Self.archiveName)")
        try server.start()
        defer { server.stop() }
        let target = TestSupport.temporaryDirectory("download-complete")
        defer { try? FileManager.default.removeItem(at: target) }
        let checksum = CorpusDownloader.Checksum.md5(MD5.hexDigest(of: zip))
        let progress = ProgressLog()
        let archive = try await downloader(server, checksum: checksum).download(into: target) { progress.append($0) }
        #expect(try Data(contentsOf: archive) == zip)
        #expect(server.requests == [.init(path: "/files/\(Self.archiveName)", range: nil)])
        #expect(progress.last?.receivedBytes == Int64(zip.count))
        #expect(progress.last?.totalBytes == Int64(zip.count))
        let written = try CorpusDownloader.unpack(archive, into: target)
        #expect(Set(written) == Set(Self.members.map { $0 + ".wav" }))
        let corpus = try Corpus.load(kind: .ravdess, root: target)
        #expect(corpus.utterances.map(\.label) == ["neutral", "angry", "surprise"])
        let report = CorpusInspector.inspect(corpus)
        #expect(report.unreadable.isEmpty)
        #expect(report.missingOfficial.count == 1437)
        // A second run finds the verified archive and asks the server nothing.
        _ = try await downloader(server, checksum: checksum).download(into: target)
        #expect(server.requests.count == 1)
    }

    @Test(.realCorpora) func interruptedTransferResumesWithARangeRequest() async throws {
        let (zip, staging) = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: staging) }
        let cut = zip.count / 2
        let server = LoopbackHTTPServer(body: zip, path: "/files/\(Self.archiveName)", cutFirstAnswerAfter: cut)
        try server.start()
        defer { server.stop() }
        let target = TestSupport.temporaryDirectory("download-resume")
        defer { try? FileManager.default.removeItem(at: target) }
        let checksum = CorpusDownloader.Checksum.md5(MD5.hexDigest(of: zip))
        // One try only: the cut transfer fails, leaving the first half in the .part file.
        await #expect(throws: DownloadError.self) { try await downloader(server, checksum: checksum, attempts: 1).download(into: target) }
        let partial = target.appendingPathComponent(Self.archiveName + ".part")
        #expect(try Data(contentsOf: partial) == zip.prefix(cut))
        // The next run resumes from there.
        let archive = try await downloader(server, checksum: checksum).download(into: target)
        #expect(try Data(contentsOf: archive) == zip)
        #expect(server.requests.map(\.range) == [nil, "bytes=\(cut)-"])
        #expect(!FileManager.default.fileExists(atPath: partial.path))
    }

    @Test(.realCorpora) func aPartialFileThatIsAlreadyWholeIsFinishedWithoutABody() async throws {
        let (zip, staging) = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: staging) }
        let server = LoopbackHTTPServer(body: zip, path: "/files/\(Self.archiveName)")
        try server.start()
        defer { server.stop() }
        let target = TestSupport.temporaryDirectory("download-whole-part")
        defer { try? FileManager.default.removeItem(at: target) }
        try zip.write(to: target.appendingPathComponent(Self.archiveName + ".part"))
        // The server answers 416 to a range starting at the end: the file is complete.
        let archive = try await downloader(server, checksum: .md5(MD5.hexDigest(of: zip))).download(into: target)
        #expect(try Data(contentsOf: archive) == zip)
        #expect(server.requests.map(\.range) == ["bytes=\(zip.count)-"])
    }

    @Test(.realCorpora) func interruptedTransferIsRetriedWithinOneRun() async throws {
        let (zip, staging) = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: staging) }
        let cut = zip.count / 3
        let server = LoopbackHTTPServer(body: zip, path: "/files/\(Self.archiveName)", cutFirstAnswerAfter: cut)
        try server.start()
        defer { server.stop() }
        let target = TestSupport.temporaryDirectory("download-retry")
        defer { try? FileManager.default.removeItem(at: target) }
        let archive = try await downloader(server, checksum: .md5(MD5.hexDigest(of: zip))).download(into: target)
        #expect(try Data(contentsOf: archive) == zip)
        #expect(server.requests.map(\.range) == [nil, "bytes=\(cut)-"])
    }

    @Test(.realCorpora) func corruptedArchiveIsRejected() async throws {
        let (zip, staging) = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: staging) }
        var corrupted = zip
        for index in stride(from: zip.count / 4, to: zip.count / 4 + 64, by: 1) { corrupted[index] ^= 0xA5 }
        let server = LoopbackHTTPServer(body: corrupted, path: "/files/\(Self.archiveName)")
        try server.start()
        defer { server.stop() }
        let target = TestSupport.temporaryDirectory("download-corrupt")
        defer { try? FileManager.default.removeItem(at: target) }
        // With the published checksum: rejected before unpacking, file deleted, message names both digests.
        let good = CorpusDownloader.Checksum.md5(MD5.hexDigest(of: zip))
        do {
            _ = try await downloader(server, checksum: good).download(into: target)
            Issue.record("expected a checksum mismatch")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains("checksum mismatch") && message.contains(good.description) && message.contains(MD5.hexDigest(of: corrupted)), "\(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: target.appendingPathComponent(Self.archiveName).path))
        // Without a checksum the zip's own CRC-32 catches it when unpacking.
        let archive = try await downloader(server, checksum: nil).download(into: target)
        do {
            try CorpusDownloader.unpack(archive, into: target)
            Issue.record("expected a corrupt archive error")
        } catch {
            let message = error.localizedDescription
            #expect(message.contains(Self.archiveName) && message.contains("corrupt"), "\(message)")
        }
    }

    @Test func missingFileAndChecksumSyntax() async throws {
        let server = LoopbackHTTPServer(body: Data("x".utf8), path: "/files/other.zip")
        try server.start()
        defer { server.stop() }
        let target = TestSupport.temporaryDirectory("download-404")
        defer { try? FileManager.default.removeItem(at: target) }
        do {
            _ = try await downloader(server, checksum: nil).download(into: target)
            Issue.record("expected HTTP 404")
        } catch {
            #expect(error as? DownloadError == .httpStatus(url: downloader(server, checksum: nil).sourceURL.absoluteString, status: 404))
        }
        #expect(server.requests.count == 1)
        #expect(CorpusDownloader.Checksum("md5:BC696DF654C87FED845EB13823EDEF8A") == .md5("bc696df654c87fed845eb13823edef8a"))
        #expect(CorpusDownloader.Checksum("md5:123") == nil)
        #expect(CorpusDownloader.Checksum("crc:12345678") == nil)
    }
}

final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [CorpusDownloader.Progress] = []
    func append(_ progress: CorpusDownloader.Progress) { lock.lock(); entries.append(progress); lock.unlock() }
    var last: CorpusDownloader.Progress? { lock.lock(); defer { lock.unlock() }; return entries.last }
}

extension CorpusDownloader {
    func with(attempts: Int) -> CorpusDownloader {
        var copy = self
        copy.attempts = attempts
        return copy
    }
}
