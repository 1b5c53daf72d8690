import Foundation
import SERAudio
import SERCore

/// A recording made of corpus utterances with low noise between them, and where each utterance lies.
public struct ConcatenatedRecording {
    public struct Placed {
        public let name: String
        public let emotion: String
        /// Where the clip lies in the recording, seconds.
        public let start: Double
        public let end: Double
        /// Where its speech lies in the recording: the first to the last 10 ms frame of the clip within
        /// 40 dB of the clip's own loudest frame (`librosa.effects.trim(top_db=40)`'s rule), seconds.
        public let speechStart: Double
        public let speechEnd: Double
        /// The clip's loudest 10 ms frame, dBFS.
        public let peakDB: Double
    }

    public let url: URL
    public let sampleRate: Int
    public let clips: [Placed]
    public let duration: Double

    /// Writes `files` (corpus-relative, one sample rate) to `url` as 16-bit WAV at their own rate, each
    /// after a gap from `gaps` (cycled) of uniform noise at `noiseDBFS` RMS, and one gap after the last.
    public static func build(_ files: [(path: String, emotion: String)], gaps: [Double], noiseDBFS: Double, to url: URL) throws -> ConcatenatedRecording {
        var generator = SeededGenerator(seed: 2024, stream: "gap-noise")
        let amplitude = Float(pow(10, noiseDBFS / 20) * 3.0.squareRoot())  // uniform on [-a, a] has RMS a / sqrt(3)
        var writer: AudioFileWriter?
        var placed: [Placed] = []
        var rate = 0
        func gap(_ seconds: Double) throws {
            try writer!.write((0..<Int(seconds * Double(rate))).map { _ in Float.random(in: -amplitude...amplitude, using: &generator) })
        }
        for (index, file) in files.enumerated() {
            let corpus = String(file.path.prefix { $0 != "/" })
            let clip = try AudioFile.read(try TestSupport.corpus(corpus).appendingPathComponent(String(file.path.dropFirst(corpus.count + 1))))
            if writer == nil {
                rate = clip.sampleRate
                writer = try AudioFileWriter(url: url, sampleRate: rate)
            }
            precondition(clip.sampleRate == rate, "\(file.path): \(clip.sampleRate) Hz, the recording is \(rate) Hz")
            try gap(gaps[index % gaps.count])
            let offset = Double(writer!.sampleCount) / Double(rate)
            let (first, last, peak) = speechExtent(clip.samples, sampleRate: rate)
            placed.append(Placed(name: file.path, emotion: file.emotion, start: offset, end: offset + clip.duration,
                                 speechStart: offset + first, speechEnd: offset + last, peakDB: peak))
            try writer!.write(clip.samples)
        }
        try gap(gaps[files.count % gaps.count])
        let duration = Double(writer!.sampleCount) / Double(rate)
        try writer!.close()
        return ConcatenatedRecording(url: url, sampleRate: rate, clips: placed, duration: duration)
    }

    /// Start of the first and end of the last 10 ms frame within 40 dB of the clip's loudest, seconds,
    /// and the loudest frame's level (dBFS).
    public static func speechExtent(_ samples: [Float], sampleRate: Int) -> (start: Double, end: Double, peakDB: Double) {
        let hop = sampleRate / 100
        let levels = stride(from: 0, to: samples.count, by: hop).map { start -> Double in
            let frame = samples[start..<min(start + hop, samples.count)]
            return 10 * log10(max(frame.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(frame.count), 1e-10))
        }
        let loudest = levels.max()!
        let first = levels.firstIndex { $0 >= loudest - 40 }!, last = levels.lastIndex { $0 >= loudest - 40 }!
        return (Double(first * hop) / Double(sampleRate), Double(min((last + 1) * hop, samples.count)) / Double(sampleRate), loudest)
    }
}
