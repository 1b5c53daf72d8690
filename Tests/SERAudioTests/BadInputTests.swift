import Foundation
import Testing
import SERTestSupport
@testable import SERAudio

/// Minimal RIFF/WAVE writer for test inputs: 16-bit PCM or 32-bit float, interleaved.
enum TestWAV {
    static func pcm16(_ samples: [Int16], channels: Int = 1, sampleRate: Int = 16000) -> Data {
        var payload = Data()
        for s in samples { withUnsafeBytes(of: s.littleEndian) { payload.append(contentsOf: $0) } }
        return wrap(payload, format: 1, bits: 16, channels: channels, sampleRate: sampleRate)
    }

    static func float32(_ samples: [Float], channels: Int = 1, sampleRate: Int = 16000) -> Data {
        var payload = Data()
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
        return wrap(payload, format: 3, bits: 32, channels: channels, sampleRate: sampleRate)
    }

    private static func wrap(_ payload: Data, format: UInt16, bits: UInt16, channels: Int, sampleRate: Int) -> Data {
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + payload.count)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(format); u16(UInt16(channels)); u32(UInt32(sampleRate))
        let blockAlign = UInt16(channels) * bits / 8
        u32(UInt32(sampleRate) * UInt32(blockAlign)); u16(blockAlign); u16(bits)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(payload.count))
        data.append(payload)
        return data
    }
}

@Suite struct BadInputTests {
    let directory = TestSupport.temporaryDirectory("serlab-audio")

    func write(_ data: Data, _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    @Test func goodPCMRoundTrips() throws {
        let url = try write(TestWAV.pcm16([0, 16384, -16384, 32767]), "good.wav")
        let clip = try AudioFile.read(url)
        #expect(clip.samples == [0, 0.5, -0.5, 32767 / 32768])
        #expect(clip.sampleRate == 16000)
    }

    /// A WAV whose data chunk announces more bytes than the file holds (libsndfile alone would
    /// silently return the samples present).
    @Test func truncatedWAVIsRejected() throws {
        let full = TestWAV.pcm16((0..<4000).map { Int16($0 % 200 - 100) * 100 })
        let url = try write(full.prefix(44 + 2 * 1500 + 1), "truncated.wav")
        #expect(throws: AudioError.truncated(path: url.path, expectedFrames: 4000, readFrames: 1500)) { try AudioFile.read(url) }
        #expect(throws: AudioError.self) { try AudioFile.info(url) }
    }

    /// A FLAC cut in half: its STREAMINFO announces more frames than can be decoded.
    @Test(.realCorpora) func truncatedFLACIsRejected() throws {
        let source = try TestSupport.corpus("ravdess").appendingPathComponent("Actor_01/03-01-01-01-01-01-01.flac")
        let bytes = try Data(contentsOf: source)
        let url = try write(bytes.prefix(bytes.count / 2), "truncated.flac")
        do {
            _ = try AudioFile.read(url)
            Issue.record("a half FLAC was read without error")
        } catch let error as AudioError {
            guard case .truncated(let path, let expected, let read) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == url.path && read < expected)
            #expect(error.localizedDescription.contains("truncated.flac"))
        }
    }

    /// Every audio file of the three corpora reads whole (no false truncation alarm on real releases): the
    /// header check of WAV/AIFF and the frame count check of a full read, which is the one FLAC gets.
    @Test(.realCorpora) func corpusFilesAreNotFlaggedTruncated() throws {
        let extensions: Set<String> = ["wav", "flac", "aif", "aiff"]
        var count = 0
        for corpus in ["ravdess", "savee", "tess"] {
            let root = try TestSupport.corpus(corpus)
            let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
                .compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) }
            #expect(files.count >= 100, "\(root.path): \(files.count) audio files")
            for url in files {
                do {
                    let clip = try AudioFile.read(url)
                    #expect(!clip.samples.isEmpty, "\(url.path) is empty")
                } catch {
                    Issue.record("\(url.path): \(error.localizedDescription)")
                }
                count += 1
            }
        }
        #expect(count >= 2000, "\(count) corpus files read")
    }

    /// A header cut inside the format chunk is not audio.
    @Test func headerOnlyFileIsNotAudio() throws {
        let url = try write(TestWAV.pcm16([1, 2, 3]).prefix(30), "cut-header.wav")
        #expect(throws: AudioError.self) { try AudioFile.read(url) }
        do { _ = try AudioFile.read(url) } catch { #expect(error.localizedDescription.contains("cut-header.wav")) }
    }

    @Test func zeroSamplesIsEmpty() throws {
        let url = try write(TestWAV.pcm16([]), "empty.wav")
        #expect(throws: AudioError.empty(path: url.path)) { try AudioFile.read(url) }
        #expect(AudioError.empty(path: url.path).localizedDescription.contains("empty.wav"))
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteFloatIsRejected(bad: Float) throws {
        let url = try write(TestWAV.float32([0.1, -0.2, bad, 0.3]), "nonfinite.wav")
        #expect(throws: AudioError.nonFinite(path: url.path, index: 2)) { try AudioFile.read(url) }
        // Also when the bad sample sits in one channel of a stereo file.
        let stereo = try write(TestWAV.float32([0.1, 0.1, 0.2, bad], channels: 2), "nonfinite-stereo.wav")
        #expect(throws: AudioError.nonFinite(path: stereo.path, index: 1)) { try AudioFile.read(stereo) }
    }

    @Test func floatWAVIsReadExactly() throws {
        let values: [Float] = [0.25, -0.125, 0.999, -1]
        let url = try write(TestWAV.float32(values, sampleRate: 8000), "float.wav")
        let clip = try AudioFile.read(url)
        #expect(clip.samples == values)
        #expect(try AudioFile.info(url).encoding == "FLOAT")
    }

    /// A folder (here one named like an audio file) is said to be a folder, not "no such file".
    @Test func directoryIsNotAFile() throws {
        #expect(throws: AudioError.isFolder(path: directory.path)) { try AudioFile.read(directory) }
        let named = directory.appendingPathComponent("x.wav")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: true)
        #expect(throws: AudioError.isFolder(path: named.path)) { try AudioFile.read(named) }
        #expect(AudioError.isFolder(path: named.path).errorDescription == "\(named.path): expected an audio file, found a folder")
    }
}
