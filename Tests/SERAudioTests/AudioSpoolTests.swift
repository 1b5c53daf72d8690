import Foundation
import Testing
import SERCore
import SERTestSupport
@testable import SERAudio

/// `AudioSpool` turns a stream read once (standard input) into a file that reads back the samples sent:
/// raw samples exactly, WAV byte for byte (placeholder lengths of pipe writers fixed), and every bad
/// stream is a typed error naming it.
@Suite struct AudioSpoolTests {
    let directory = TestSupport.temporaryDirectory("serlab-spool")

    /// Spools `bytes` (handed over through a file handle, as standard input is).
    func spool(_ bytes: [UInt8], raw: RawAudioFormat?) throws -> URL {
        let source = directory.appendingPathComponent("input-\(UUID().uuidString)")
        try Data(bytes).write(to: source)
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        let url = directory.appendingPathComponent("spooled-\(UUID().uuidString).wav")
        try AudioSpool.spool(from: input, to: url, raw: raw, name: "standard input")
        return url
    }

    static func ramp(_ count: Int) -> [Float] {
        (0..<count).map { Float(sin(Double($0) * 0.013) * 0.8) }
    }

    @Test func rawSixteenBitReadsBackExactly() throws {
        let values: [Int16] = (0..<20_000).map { Int16(truncatingIfNeeded: $0 &* 7919) }
        let bytes = values.flatMap { AudioSpool.littleEndian($0) }
        let clip = try AudioFile.read(try spool(bytes, raw: RawAudioFormat(sampleRate: 8000, sample: .s16le)))
        #expect(clip.sampleRate == 8000)
        #expect(clip.samples == values.map { Float($0) / 32768 })
    }

    @Test func rawThirtyTwoBitIntegersReadBackExactly() throws {
        let values: [Int32] = [0, 1 << 30, -(1 << 30), Int32.max, Int32.min, 123_456_789]
        let clip = try AudioFile.read(try spool(values.flatMap { AudioSpool.littleEndian($0) }, raw: RawAudioFormat(sampleRate: 16000, sample: .s32le)))
        #expect(clip.samples == values.map { Float(Double($0) / 2_147_483_648) })
    }

    @Test func rawFloatsReadBackBitForBit() throws {
        let samples = Self.ramp(50_000)
        let bytes = samples.flatMap { AudioSpool.littleEndian($0.bitPattern) }
        let clip = try AudioFile.read(try spool(bytes, raw: RawAudioFormat(sampleRate: 22050, sample: .f32le)))
        #expect(clip.sampleRate == 22050)
        #expect(clip.samples.map(\.bitPattern) == samples.map(\.bitPattern))
        // Resampled on the way in, as a file would be.
        let wav = directory.appendingPathComponent("same.wav")
        try AudioFile.write(AudioClip(samples: samples, sampleRate: 22050), to: wav, encoding: .float32)
        let spooled = try spool(bytes, raw: RawAudioFormat(sampleRate: 22050, sample: .f32le))
        #expect(try AudioFile.read(spooled, sampleRate: 16000) == AudioFile.read(wav, sampleRate: 16000))
    }

    @Test func wavIsCopiedByteForByte() throws {
        let wav = directory.appendingPathComponent("clip.wav")
        try AudioFile.write(AudioClip(samples: Self.ramp(30_001), sampleRate: 16000), to: wav)
        let original = try Data(contentsOf: wav)
        let spooled = try spool(Array(original), raw: nil)
        #expect(try Data(contentsOf: spooled) == original)
    }

    /// Other containers are copied as they are and read like the file they came from (TESS's AIFF named
    /// .wav, a RAVDESS FLAC).
    @Test(.realCorpora, arguments: ["tess/TESS Toronto emotional speech set data/YAF_angry/YAF_germ_angry.wav",
                      "ravdess/Actor_01/03-01-01-01-01-01-01.flac"])
    func aiffAndFLACStreamsReadAsTheirFiles(_ relative: String) throws {
        let corpus = String(relative.prefix { $0 != "/" })
        let file = try TestSupport.corpus(corpus).appendingPathComponent(String(relative.dropFirst(corpus.count + 1)))
        let spooled = try spool(Array(try Data(contentsOf: file)), raw: nil)
        #expect(try AudioFile.read(spooled, sampleRate: 16000) == AudioFile.read(file, sampleRate: 16000))
    }

    /// ffmpeg and sox writing WAV to a pipe cannot seek back to fill in the lengths.
    @Test(arguments: [UInt32(0), 0xFFFF_FFFF, 0x7FFF_F000])
    func placeholderLengthsOfPipeWritersAreFixed(_ placeholder: UInt32) throws {
        let wav = directory.appendingPathComponent("clip.wav")
        let clip = AudioClip(samples: Self.ramp(12_345), sampleRate: 16000)
        try AudioFile.write(clip, to: wav)
        var bytes = Array(try Data(contentsOf: wav))
        let data = try #require(Self.dataChunkOffset(bytes))
        bytes.replaceSubrange(4..<8, with: AudioSpool.littleEndian(placeholder))
        bytes.replaceSubrange(data + 4..<data + 8, with: AudioSpool.littleEndian(placeholder))
        let spooled = try spool(bytes, raw: nil)
        #expect(try AudioFile.read(spooled) == AudioFile.read(wav))
        #expect(try Data(contentsOf: spooled) == Data(contentsOf: wav))
    }

    /// A length that is no placeholder is kept: a cut stream reads as a truncated file.
    @Test func cutWAVStreamIsReportedTruncated() throws {
        let wav = directory.appendingPathComponent("clip.wav")
        try AudioFile.write(AudioClip(samples: Self.ramp(8000), sampleRate: 16000), to: wav)
        let bytes = Array(try Data(contentsOf: wav))
        let spooled = try spool(Array(bytes.prefix(bytes.count - 4000)), raw: nil)
        #expect {
            try AudioFile.read(spooled)
        } throws: { error in
            if case .truncated(_, 8000, 6000)? = error as? AudioError { return true }
            Issue.record("got \(error)")
            return false
        }
    }

    static func dataChunkOffset(_ bytes: [UInt8]) -> Int? {
        var offset = 12
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            if bytes[offset..<offset + 4].elementsEqual("data".utf8) { return offset }
            offset += 8 + length + length % 2
        }
        return nil
    }

    @Test func badStreamsAreNamedErrors() throws {
        let raw = RawAudioFormat(sampleRate: 16000, sample: .s16le)
        func failure(_ bytes: [UInt8], _ raw: RawAudioFormat?) -> AudioSpoolError? {
            do {
                _ = try spool(bytes, raw: raw)
                return nil
            } catch {
                return error as? AudioSpoolError
            }
        }
        #expect(failure([], nil) == .empty(name: "standard input"))
        #expect(failure([], raw) == .empty(name: "standard input"))
        let id3 = Array("ID3\u{4}\0\0\0\0\0\0abc".utf8)
        let unknown = failure(id3, nil)
        #expect(unknown == .unrecognised(name: "standard input", firstBytes: Array(id3.prefix(8))))
        #expect(unknown?.localizedDescription.contains("49 44 33 04") == true)
        #expect(unknown?.localizedDescription.hasPrefix("standard input: expected a WAV, AIFF, FLAC or OGG stream") == true)
        #expect(failure(Array("RIFF\0\0\0\0WAVE".utf8), raw) == .headerWithRawFormat(name: "standard input", container: "WAV"))
        #expect(failure(Array("fLaC\0\0\0\u{22}".utf8), raw) == .headerWithRawFormat(name: "standard input", container: "FLAC"))
        #expect(failure([1, 2, 3], raw) == .partialSample(name: "standard input", bytes: 3, format: .s16le))
        #expect(failure([1, 2, 3, 4, 5, 6], RawAudioFormat(sampleRate: 16000, sample: .f32le))
                == .partialSample(name: "standard input", bytes: 6, format: .f32le))
    }

    /// Through a real pipe, written in pieces smaller than the magic number.
    @Test func pipeWrittenInPiecesIsSpooled() throws {
        let wav = directory.appendingPathComponent("clip.wav")
        try AudioFile.write(AudioClip(samples: Self.ramp(100_000), sampleRate: 16000), to: wav)
        let original = try Data(contentsOf: wav)
        let pipe = Pipe()
        let writer = Thread {
            let handle = pipe.fileHandleForWriting
            handle.write(original.prefix(2))
            usleep(20_000)
            var offset = 2
            while offset < original.count {
                let end = min(original.count, offset + 5000)
                handle.write(original[offset..<end])
                offset = end
            }
            try? handle.close()
        }
        writer.start()
        let url = directory.appendingPathComponent("from-pipe.wav")
        try AudioSpool.spool(from: pipe.fileHandleForReading, to: url, raw: nil)
        #expect(try Data(contentsOf: url) == original)
    }
}
