import Foundation
import Testing
import SERCore
import SERTestSupport
@testable import SERAudio

/// `AudioStream`'s blocks, concatenated, are `AudioFile.read`'s samples bit for bit, and it fails as
/// `AudioFile.read` fails.
@Suite struct AudioStreamTests {
    let directory = TestSupport.temporaryDirectory("serlab-stream")

    /// Every block of `url` at `rate`, concatenated, and the number of blocks.
    static func streamed(_ url: URL, sampleRate rate: Int?, blockDuration: Double) throws -> (samples: [Float], blocks: Int) {
        let stream = try AudioStream(url: url, sampleRate: rate, blockDuration: blockDuration)
        var samples: [Float] = [], blocks = 0
        try stream.forEachBlock { samples += $0; blocks += 1 }
        #expect(samples.count == stream.sampleCount)
        #expect(try stream.nextBlock() == nil)
        return (samples, blocks)
    }

    static func identical(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }
    }

    static let corpusFiles = FastPathTests.flacFiles + [
        "tess/TESS Toronto emotional speech set data/YAF_angry/YAF_germ_angry.wav",  // AIFF named .wav
    ]

    /// Corpus files of every rate and channel count (FLAC, which `read` decodes with serlab's own decoder
    /// and the stream with libsndfile; AIFF), at their own rate and resampled down and up, in blocks from
    /// a few hundred samples to longer than the file.
    @Test(.realCorpora, arguments: corpusFiles)
    func corpusFileStreamsAsItReads(_ relative: String) throws {
        let url = try FastPathTests.url(relative)
        for rate in [nil, 16000, 22050] as [Int?] {
            let whole = try AudioFile.read(url, sampleRate: rate)
            for blockDuration in [0.013, 0.37, 4, 60] {
                let (samples, blocks) = try Self.streamed(url, sampleRate: rate, blockDuration: blockDuration)
                let same = Self.identical(samples, whole.samples)
                #expect(same, "\(relative) at \(String(describing: rate)) Hz in \(blockDuration) s blocks")
                if blockDuration < 1 { #expect(blocks > 3) }
            }
        }
    }

    /// Three minutes of 44.1 kHz tones and noise bursts, as a float WAV: 45 blocks of 4 s.
    @Test func longSyntheticFileStreamsAsItReads() throws {
        let rate = 44100, seconds = 180
        var generator = SeededGenerator(seed: 11)
        let samples = (0..<(rate * seconds)).map { frame -> Float in
            let t = Double(frame) / Double(rate)
            let burst = Int(t) % 3 == 0 ? Float.random(in: -0.3...0.3, using: &generator) : 0
            return Float(0.4 * sin(2 * Double.pi * 220 * t)) + burst
        }
        let url = directory.appendingPathComponent("long.wav")
        try AudioFile.write(AudioClip(samples: samples, sampleRate: rate), to: url, encoding: .float32)
        for target in [16000, rate] {
            let whole = try AudioFile.read(url, sampleRate: target)
            let (streamed, blocks) = try Self.streamed(url, sampleRate: target, blockDuration: 4)
            #expect(blocks == seconds / 4)
            let same = Self.identical(streamed, whole.samples)
            #expect(same, "to \(target) Hz")
        }
    }

    @Test(.realCorpora) func truncatedFLACFailsAsReadFails() throws {
        let source = try TestSupport.corpus("ravdess").appendingPathComponent("Actor_01/03-01-01-01-01-01-01.flac")
        let bytes = try Data(contentsOf: source)
        let url = directory.appendingPathComponent("half.flac")
        try bytes.prefix(bytes.count / 2).write(to: url)
        var readError: AudioError?
        do { _ = try AudioFile.read(url, sampleRate: 16000) } catch let error as AudioError { readError = error }
        for blockDuration in [0.1, 4] {
            var streamError: AudioError?
            var returned = 0
            do {
                try AudioStream(url: url, sampleRate: 16000, blockDuration: blockDuration).forEachBlock { returned += $0.count }
            } catch let error as AudioError { streamError = error }
            #expect(streamError != nil && streamError == readError, "\(blockDuration) s blocks")
            if blockDuration < 1 { #expect(returned > 0) }  // blocks before the cut came out first
        }
    }

    @Test func headerProblemsFailAtOpen() throws {
        let cut = directory.appendingPathComponent("cut.wav")
        try TestWAV.pcm16((0..<4000).map { Int16($0 % 200 - 100) * 100 }).prefix(44 + 2 * 1500 + 1).write(to: cut)
        #expect(throws: AudioError.truncated(path: cut.path, expectedFrames: 4000, readFrames: 1500)) { try AudioStream(url: cut) }
        let empty = directory.appendingPathComponent("empty.wav")
        try TestWAV.pcm16([]).write(to: empty)
        #expect(throws: AudioError.empty(path: empty.path)) { try AudioStream(url: empty, sampleRate: 8000) }
        let missing = directory.appendingPathComponent("missing.wav")
        #expect(throws: AudioError.missing(path: missing.path)) { try AudioStream(url: missing) }
    }

    /// The index of a NaN counts from the start of the file, not of its block.
    @Test func nonFiniteSampleIsNamedByItsFileIndex() throws {
        let url = directory.appendingPathComponent("nan.wav")
        try TestWAV.float32([0.1, -0.2, 0.3, 0.1, .nan, 0.3], sampleRate: 16000).write(to: url)
        let stream = try AudioStream(url: url, blockDuration: 2.0 / 16000)
        #expect(try stream.nextBlock() == [0.1, -0.2])
        #expect(try stream.nextBlock() == [0.3, 0.1])
        #expect(throws: AudioError.nonFinite(path: url.path, index: 4)) { try stream.nextBlock() }
        #expect(try stream.nextBlock() == nil)
    }

    /// 16-bit samples read from a corpus file are written back exactly; float files hold any value.
    @Test(.realCorpora) func writerRoundTripsSamples() throws {
        let clip = try AudioFile.read(try FastPathTests.url(FastPathTests.flacFiles[0]))
        let pcm = directory.appendingPathComponent("pcm16.wav")
        try AudioFile.write(clip, to: pcm)
        #expect(try AudioFile.info(pcm).encoding == "PCM_16")
        let same = Self.identical(try AudioFile.read(pcm).samples, clip.samples)
        #expect(same)
        let odd = AudioClip(samples: [0.1, -1.5, 3e-9, 2], sampleRate: 8000)
        let float = directory.appendingPathComponent("float.wav")
        let writer = try AudioFileWriter(url: float, sampleRate: 8000, encoding: .float32)
        try writer.write(Array(odd.samples.prefix(2)))
        try writer.write(Array(odd.samples.dropFirst(2)))
        try writer.close()
        #expect(writer.sampleCount == 4)
        #expect(try AudioFile.read(float) == odd)
        #expect(throws: AudioError.self) { try writer.write([0]) }
        // 16-bit clips what it cannot hold.
        try AudioFile.write(AudioClip(samples: [2, -2, 0.5], sampleRate: 8000), to: pcm)
        #expect(try AudioFile.read(pcm).samples == [32767 / 32768, -1, 0.5])
    }

    @Test func unwritablePathIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/out.wav")
        #expect(throws: AudioError.self) { try AudioFile.write(AudioClip(samples: [0], sampleRate: 8000), to: url) }
        do { try AudioFile.write(AudioClip(samples: [0], sampleRate: 8000), to: url) } catch {
            #expect(error.localizedDescription.contains("/nonexistent/out.wav"))
        }
    }
}
