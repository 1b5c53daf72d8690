import Foundation
import Testing
import SERAudio
import SERCore
import SERTestSupport
@testable import SERFeatures

@Suite struct VoiceActivityTests {
    let directory = TestSupport.temporaryDirectory("serlab-vad")

    static let ravdess: [(path: String, emotion: String)] = [
        ("ravdess/Actor_01/03-01-01-01-01-01-01.flac", "neutral"),
        ("ravdess/Actor_02/03-01-02-02-01-01-02.flac", "calm"),
        ("ravdess/Actor_03/03-01-03-02-01-01-03.flac", "happy"),
        ("ravdess/Actor_04/03-01-04-02-01-01-04.flac", "sad"),
        ("ravdess/Actor_05/03-01-05-02-01-01-05.flac", "angry"),
        ("ravdess/Actor_06/03-01-06-02-01-01-06.flac", "fear"),
        ("ravdess/Actor_07/03-01-07-02-01-01-07.flac", "disgust"),
        ("ravdess/Actor_08/03-01-08-02-01-01-08.flac", "surprise"),
    ]

    static let savee: [(path: String, emotion: String)] = [
        ("savee/AudioData/DC/a01.flac", "angry"),
        ("savee/AudioData/JE/d03.flac", "disgust"),
        ("savee/AudioData/JK/f05.flac", "fear"),
        ("savee/AudioData/KL/h07.flac", "happy"),
        ("savee/AudioData/DC/n10.flac", "neutral"),
        ("savee/AudioData/JE/sa02.flac", "sad"),
        ("savee/AudioData/JK/su04.flac", "surprise"),
    ]

    /// Segments of `recording` streamed at 16 kHz, in blocks of 4 s.
    static func segments(_ recording: ConcatenatedRecording, _ parameters: VoiceActivityParameters) throws -> [SpeechSegment] {
        try VoiceActivityDetector.segments(ofFile: recording.url, sampleRate: 16000, parameters: parameters)
    }

    /// Seven or eight utterances of different emotions with 1-2 s of -60 dBFS noise between them, streamed
    /// from a WAV at the corpus's rate (48 / 44.1 kHz) through the resampler to 16 kHz.
    ///
    /// Against each clip's speech extent (its first to last 10 ms frame within 40 dB of its own loudest;
    /// padding 0): a clip within 10 dB of the recording's loudest comes back within 0.1 s at both ends
    /// (observed 0.01 s); a quieter clip loses its faint onset and fading end to the recording-relative
    /// threshold (observed up to 0.87 s for RAVDESS calm, 22 dB below the loudest, and 1.21 s at the end of
    /// RAVDESS surprise, where a 0.13 s noise closes the clip), so its segment lies inside the extent
    /// (to 0.1 s). With the default padding every segment still lies within its own clip plus the padding,
    /// and maps to exactly one clip.
    @Test(.realCorpora, arguments: ["ravdess", "savee"])
    func concatenatedUtterancesComeBackAsSegments(_ corpus: String) throws {
        let files = corpus == "ravdess" ? Self.ravdess : Self.savee
        let recording = try ConcatenatedRecording.build(files, gaps: [1.0, 1.5, 2.0], noiseDBFS: -60,
                                                        to: directory.appendingPathComponent("\(corpus).wav"))
        let loudest = recording.clips.map(\.peakDB).max()!
        var unpadded = VoiceActivityParameters()
        unpadded.padding = 0
        let tight = try Self.segments(recording, unpadded)
        #expect(tight.count == files.count || corpus == "savee")  // SAVEE KL h07 holds a 0.4 s pause: two segments
        for clip in recording.clips {
            let mine = tight.filter { $0.end > clip.start && $0.start < clip.end }
            guard let first = mine.first, let last = mine.last else { Issue.record("\(clip.name): no segment"); continue }
            let (startError, endError) = (first.start - clip.speechStart, last.end - clip.speechEnd)
            print(String(format: "%@ %@: peak %.1f dB (%.1f below the loudest), %d segment(s), start %+.2f s, end %+.2f s",
                         clip.name, clip.emotion, clip.peakDB, loudest - clip.peakDB, mine.count, startError, endError))
            if loudest - clip.peakDB <= 10 {
                #expect(abs(startError) <= 0.1 && abs(endError) <= 0.1, "\(clip.name)")
            } else {
                #expect(startError >= -0.1 && endError <= 0.1, "\(clip.name)")
            }
        }
        let padded = try Self.segments(recording, VoiceActivityParameters())
        let padding = VoiceActivityParameters().padding
        var segmentsPerClip = [Int](repeating: 0, count: recording.clips.count)
        for segment in padded {
            let owners = recording.clips.indices.filter { segment.end > recording.clips[$0].start && segment.start < recording.clips[$0].end }
            #expect(owners.count == 1, "segment \(segment) overlaps clips \(owners)")
            guard owners.count == 1, let owner = owners.first else { continue }
            segmentsPerClip[owner] += 1
            let clip = recording.clips[owner]
            #expect(segment.start >= clip.start - padding - 0.02 && segment.end <= clip.end + padding + 0.02, "\(segment) for \(clip.name)")
        }
        #expect(segmentsPerClip.allSatisfy { $0 >= 1 }, "\(segmentsPerClip)")
        #expect(segmentsPerClip.filter { $0 == 1 }.count >= files.count - 1, "\(segmentsPerClip)")
    }

    /// Same samples cut into any blocks: the same levels and segments.
    @Test func blocksDoNotChangeTheResult() throws {
        var generator = SeededGenerator(seed: 7, stream: "vad-blocks")
        let rate = 16000
        let samples = (0..<(rate * 12)).map { index -> Float in
            let second = index / rate
            let loud: Float = second % 4 == 1 ? 0.3 : (second % 4 == 2 ? 0.05 : 0.0005)
            return Float.random(in: -loud...loud, using: &generator)
        }
        var whole = try VoiceActivityDetector(sampleRate: rate)
        whole.append(samples)
        let expected = whole.finish()
        #expect(expected.count == 3)
        for blockSize in [1, 7, 159, 160, 401, 4000, 64_000] {
            var detector = try VoiceActivityDetector(sampleRate: rate)
            var start = 0
            while start < samples.count {
                detector.append(Array(samples[start..<min(start + blockSize, samples.count)]))
                start += blockSize
            }
            #expect(detector.finish() == expected, "blocks of \(blockSize)")
            #expect(detector.frameLevels == whole.frameLevels, "blocks of \(blockSize)")
        }
        #expect(whole.frameLevels.count == samples.count / whole.hopLength)
    }

    /// 20 s of speech-level noise between 1 s silences, with at most 8 s per segment and 1 s overlap:
    /// three windows of exactly 8 s, the last ending where the stretch ends.
    @Test func longStretchIsCutIntoOverlappingWindows() throws {
        let rate = 16000
        var generator = SeededGenerator(seed: 3, stream: "vad-long")
        let samples = [Float](repeating: 0, count: rate) + (0..<(20 * rate)).map { _ in Float.random(in: -0.2...0.2, using: &generator) }
            + [Float](repeating: 0, count: rate)
        var parameters = VoiceActivityParameters()
        parameters.padding = 0
        let segments = try VoiceActivityDetector.segments(of: samples, sampleRate: rate, parameters: parameters)
        #expect(segments.count == 3)
        guard segments.count == 3 else { return }
        #expect(segments.allSatisfy { abs($0.duration - 8) < 1e-9 && $0.stretch == 0 })
        #expect(abs(segments[0].start - 1) <= 0.02 && abs(segments[2].end - 21) <= 0.02)
        #expect(abs(segments[1].start - segments[0].start - 7) < 1e-9)
        for (a, b) in zip(segments, segments.dropFirst()) { #expect(a.end - b.start >= 1 - 1e-9) }
        // The same stretch within the maximum stays whole.
        parameters.maximumSegmentDuration = 20.5
        let whole = try VoiceActivityDetector.segments(of: samples, sampleRate: rate, parameters: parameters)
        #expect(whole.count == 1 && abs(whole[0].duration - 20) <= 0.03)
    }

    @Test func silenceHasNoSegments() throws {
        let rate = 16000
        #expect(try VoiceActivityDetector.segments(of: [Float](repeating: 0, count: 30 * rate), sampleRate: rate).isEmpty)
        #expect(try VoiceActivityDetector.segments(of: [], sampleRate: rate).isEmpty)
        var generator = SeededGenerator(seed: 5, stream: "vad-noise")
        let amplitude = Float(pow(10, -60.0 / 20) * 3.0.squareRoot())
        let noise = (0..<(30 * rate)).map { _ in Float.random(in: -amplitude...amplitude, using: &generator) }
        // Written and streamed back as the other tests are: 16-bit noise at -60 dBFS is still no speech.
        let url = directory.appendingPathComponent("noise.wav")
        try AudioFile.write(AudioClip(samples: noise, sampleRate: rate), to: url)
        #expect(try VoiceActivityDetector.segments(ofFile: url).isEmpty)
        // The floor decides: the same noise 20 dB louder is taken for speech.
        let loud = try VoiceActivityDetector.segments(of: noise.map { $0 * 10 }, sampleRate: rate)
        #expect(!loud.isEmpty && loud.allSatisfy { $0.stretch == 0 } && loud.first?.start == 0 && loud.last?.end == 30)
    }

    /// Six seconds of a voiced-like signal (harmonics with a 4 Hz syllable envelope 20 dB deep): one
    /// segment from the first sample to the last.
    @Test func allSpeechIsOneSegment() throws {
        let rate = 16000
        let samples = (0..<(6 * rate)).map { index -> Float in
            let t = Double(index) / Double(rate)
            let envelope = 0.1 + 0.9 * pow(sin(Double.pi * 4 * t), 2)
            return Float(0.3 * envelope * (sin(2 * .pi * 150 * t) + 0.5 * sin(2 * .pi * 300 * t) + 0.25 * sin(2 * .pi * 450 * t)))
        }
        let segments = try VoiceActivityDetector.segments(of: samples, sampleRate: rate)
        #expect(segments == [SpeechSegment(start: 0, end: 6, stretch: 0)])
    }

    /// Pauses shorter than `minimumSilenceDuration` are bridged, longer ones split; bursts shorter than
    /// `minimumSpeechDuration` are dropped.
    @Test func pausesAndClicks() throws {
        let rate = 16000
        func tone(_ seconds: Double) -> [Float] { (0..<Int(seconds * Double(rate))).map { Float(0.3 * sin(2 * .pi * 200 * Double($0) / Double(rate))) } }
        func silence(_ seconds: Double) -> [Float] { [Float](repeating: 0, count: Int(seconds * Double(rate))) }
        var parameters = VoiceActivityParameters()
        parameters.padding = 0
        let bridged = try VoiceActivityDetector.segments(of: silence(1) + tone(1) + silence(0.2) + tone(1) + silence(1), sampleRate: rate, parameters: parameters)
        #expect(bridged.count == 1)
        let split = try VoiceActivityDetector.segments(of: silence(1) + tone(1) + silence(0.5) + tone(1) + silence(1), sampleRate: rate, parameters: parameters)
        #expect(split.count == 2 && split.map(\.stretch) == [0, 1])
        let click = try VoiceActivityDetector.segments(of: silence(1) + tone(0.05) + silence(1) + tone(1) + silence(1), sampleRate: rate, parameters: parameters)
        #expect(click.count == 1 && abs(click[0].start - 2.05) <= 0.02 && abs(click[0].end - 3.05) <= 0.02)
        // Padding widens both ends, within the recording.
        parameters.padding = 0.25
        let padded = try VoiceActivityDetector.segments(of: tone(1) + silence(1), sampleRate: rate, parameters: parameters)
        #expect(padded.count == 1 && padded[0].start == 0 && abs(padded[0].end - 1.25) <= 0.02)
    }

    @Test func invalidParametersAreNamed() {
        var parameters = VoiceActivityParameters()
        parameters.segmentOverlap = 9
        #expect(throws: VoiceActivityParameters.Invalid.self) { try VoiceActivityDetector(sampleRate: 16000, parameters: parameters) }
        do { try parameters.validate() } catch {
            #expect(error.localizedDescription.contains("segmentOverlap") && error.localizedDescription.contains("9"))
        }
        parameters = VoiceActivityParameters()
        parameters.hopDuration = 0.05
        #expect(throws: VoiceActivityParameters.Invalid(parameter: "hopDuration", expected: "a duration above 0 s and at most frameDuration (0.025)", found: 0.05)) {
            try parameters.validate()
        }
        parameters = VoiceActivityParameters()
        parameters.thresholdDB = .nan
        #expect(throws: VoiceActivityParameters.Invalid.self) { try parameters.validate() }
    }
}
