import Foundation
import Testing
import SERTestSupport
@testable import SERAudio

@Suite struct AudioFileTests {
    @Test(.realCorpora) func aiffNamedWavIsDecodedByContent() throws {
        let tess = try TestSupport.corpus("tess")
        let url = tess.appendingPathComponent("TESS Toronto emotional speech set data/YAF_angry/YAF_germ_angry.wav")
        let info = try AudioFile.info(url)
        #expect(info.sampleRate == 24414)
        #expect(info.channels == 1)
        #expect(info.container == "AIFF")
        let clip = try AudioFile.read(url)
        #expect(clip.samples.count == info.frames)
        #expect(clip.samples.contains { $0 != 0 })
    }

    @Test func stereoIsAveragedToMono() {
        let mono = AudioFile.downmix([1, 3, -2, 2, 0.5, 0.5], channels: 2)
        #expect(mono == [2, 0, 0.5])
    }

    @Test func resampledLengthIsCeilOfRatio() throws {
        let tone = (0..<24414).map { Float(sin(2 * Double.pi * 440 * Double($0) / 24414)) }
        let out = try AudioFile.resample(tone, from: 24414, to: 16000)
        #expect(out.count == Int((24414.0 * 16000 / 24414).rounded(.up)))
        let peak = out.map(abs).max() ?? 0
        #expect(peak > 0.95 && peak < 1.05)
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/clip.wav")
        #expect(throws: AudioError.missing(path: url.path)) { try AudioFile.read(url) }
    }

    @Test func textFileIsNotAudio() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("notes.wav")
        try Data("this is not audio".utf8).write(to: url)
        do {
            _ = try AudioFile.read(url)
            Issue.record("expected an error")
        } catch let error as AudioError {
            guard case .notAudio(let path, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == url.path)
            #expect(error.localizedDescription.contains("notes.wav"))
        }
    }
}
