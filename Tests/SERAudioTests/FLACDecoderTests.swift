import Foundation
import Testing
import SERCore
import SERTestSupport
@testable import SERAudio

/// serlab's Swift FLAC decoder must give libFLAC's samples bit for bit (libFLAC's in turn equal
/// libsndfile's, FastPathTests), on every FLAC file of every corpus, and must refuse (nil, so the caller
/// falls back to libFLAC/libsndfile) anything damaged rather than return other samples.
@Suite struct FLACDecoderTests {
    static func flacFiles(_ corpus: String) throws -> [URL] {
        let root = try TestSupport.corpus(corpus)
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        return (walker?.compactMap { $0 as? URL } ?? []).filter { $0.pathExtension.lowercased() == "flac" }
            .sorted { $0.path < $1.path }
    }

    @Test(.realCorpora, arguments: ["ravdess", "savee", "tess"])
    func equalsLibFLACOnEveryCorpusFile(_ corpus: String) throws {
        let files = try Self.flacFiles(corpus)
        #expect(files.count >= 300, "\(corpus): only \(files.count) FLAC files found")
        var mismatches: [String] = []
        for url in files {
            let info = try AudioFile.info(url)
            let ours = FLACDecoder.decodeMono(path: url.path, frames: info.frames, channels: info.channels)
            let theirs = AudioFile.decodeFLACMono(path: url.path, frames: info.frames, channels: info.channels)
            guard let ours, let theirs, ours.count == theirs.count,
                  ours.elementsEqual(theirs, by: { $0.bitPattern == $1.bitPattern }) else {
                mismatches.append(url.lastPathComponent)
                continue
            }
        }
        #expect(mismatches.isEmpty, "\(corpus): \(mismatches.count) files differ or were refused: \(mismatches.prefix(5))")
    }

    /// Stream shapes the corpora lack (tools/make_flac_fixtures.py): stereo at 16 and 24 bits (side
    /// channels one bit wider, LPC sums past the 32-bit lane bound at 24 bits), 8-bit samples, wasted
    /// bits, a file of one short frame. Each must be decoded by the Swift decoder (not refused) and
    /// equal libFLAC's samples bit for bit.
    @Test(arguments: ["stereo16", "stereo24", "mono8", "wasted16", "short16"])
    func equalsLibFLACOnSyntheticStreams(_ name: String) throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "flac", subdirectory: "Fixtures"),
                               "fixture \(name).flac missing from the test bundle")
        let info = try AudioFile.info(url)
        let ours = try #require(FLACDecoder.decodeMono(path: url.path, frames: info.frames, channels: info.channels),
                                "\(name): the Swift decoder refused a valid stream")
        let theirs = try #require(AudioFile.decodeFLACMono(path: url.path, frames: info.frames, channels: info.channels))
        #expect(ours.count == info.frames)
        #expect(ours.elementsEqual(theirs) { $0.bitPattern == $1.bitPattern }, "\(name): samples differ from libFLAC's")
        #expect(ours.contains { $0 != 0 })
    }

    /// Damage anywhere in the audio frames (one flipped bit, a cut) is caught by the frame CRCs or the
    /// frame count: nil, never different samples. `read` then still reports the truncation as before.
    @Test(.realCorpora) func refusesDamagedStreams() throws {
        let url = try TestSupport.corpus("ravdess").appendingPathComponent("Actor_02/03-01-05-01-01-01-02.flac")
        let bytes = try Data(contentsOf: url)
        let info = try AudioFile.info(url)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-flac-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The first audio frame follows the metadata blocks (4-byte headers: last-flag + type, 24-bit length).
        var audioStart = 4
        while true {
            let header = bytes[audioStart]
            audioStart += 4 + (Int(bytes[audioStart + 1]) << 16 | Int(bytes[audioStart + 2]) << 8 | Int(bytes[audioStart + 3]))
            if header & 0x80 != 0 { break }
        }
        #expect(bytes[audioStart] == 0xFF && bytes[audioStart + 1] & 0xFE == 0xF8, "frame sync at byte \(audioStart)")
        var generator = SeededGenerator(seed: 0xF1AC, stream: "flac-bit-flips")
        for trial in 0..<40 {
            var damaged = bytes
            let index = audioStart + Int(generator.next() % UInt64(bytes.count - audioStart))
            damaged[index] ^= UInt8(1 << (generator.next() % 8))
            let path = folder.appendingPathComponent("flip\(trial).flac").path
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(FLACDecoder.decodeMono(path: path, frames: info.frames, channels: info.channels) == nil, "byte \(index) flipped")
        }
        let cut = folder.appendingPathComponent("cut.flac").path
        try bytes.prefix(bytes.count - 1000).write(to: URL(fileURLWithPath: cut))
        #expect(FLACDecoder.decodeMono(path: cut, frames: info.frames, channels: info.channels) == nil)
        #expect(FLACDecoder.decodeMono(path: folder.appendingPathComponent("absent.flac").path, frames: 10, channels: 1) == nil)
        // The intact file decodes, and with the wrong channel count or length it is refused.
        #expect(FLACDecoder.decodeMono(path: url.path, frames: info.frames, channels: info.channels) != nil)
        #expect(FLACDecoder.decodeMono(path: url.path, frames: info.frames, channels: 2) == nil)
        #expect(FLACDecoder.decodeMono(path: url.path, frames: info.frames + 1, channels: info.channels) == nil)
    }

    /// The slice-by-8 CRC-16 against the bit-by-bit definition (polynomial 0x8005, MSB first, zero start).
    @Test func crc16MatchesBitwiseDefinition() {
        var generator = SeededGenerator(seed: 99, stream: "crc16-inputs")
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1001] {
            let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            var expected: UInt16 = 0
            for byte in data {
                expected ^= UInt16(byte) << 8
                for _ in 0..<8 { expected = expected & 0x8000 != 0 ? (expected << 1) ^ 0x8005 : expected << 1 }
            }
            let got = data.withUnsafeBufferPointer { FLACCRC.crc16($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: length) }
            #expect(got == expected, "length \(length)")
        }
    }
}

