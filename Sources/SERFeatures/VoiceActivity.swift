import Foundation
import SERAudio

/// The thresholds of `VoiceActivityDetector`, every one in seconds or dB. The defaults suit acted
/// emotional speech (RAVDESS, SAVEE, TESS) recorded in quiet rooms; see SERFeatures/README.md.
public struct VoiceActivityParameters: Codable, Sendable, Equatable {
    /// RMS analysis window.
    public var frameDuration = 0.025
    /// Step between frames, also the time resolution of the boundaries.
    public var hopDuration = 0.010
    /// A frame is speech when its level is at most this far below the recording's loudest frame.
    public var thresholdDB = 40.0
    /// ... and at least this loud (dBFS, 0 = a full-scale square wave): quieter frames are never speech,
    /// so a silent or noise-only recording gives no segment.
    public var floorDB = -55.0
    /// Pauses shorter than this inside speech are bridged.
    public var minimumSilenceDuration = 0.3
    /// Speech stretches shorter than this (after bridging) are dropped as clicks.
    public var minimumSpeechDuration = 0.2
    /// Added before and after every stretch (within the recording): onsets and fading ends fall below
    /// the threshold.
    public var padding = 0.1
    /// Stretches longer than this are cut into windows of exactly this length ...
    public var maximumSegmentDuration = 8.0
    /// ... each overlapping the one before by at least this much.
    public var segmentOverlap = 1.0

    public init() {}

    /// Why a parameter set cannot be used: names the parameter, what was expected and what was found.
    public struct Invalid: LocalizedError, Equatable {
        public let parameter: String
        public let expected: String
        public let found: Double
        public var errorDescription: String? { "voice activity \(parameter): expected \(expected), found \(found)" }
    }

    /// Throws `Invalid` for the first parameter out of range.
    public func validate() throws {
        func check(_ name: String, _ value: Double, _ expected: String, _ ok: (Double) -> Bool) throws {
            guard value.isFinite, ok(value) else { throw Invalid(parameter: name, expected: expected, found: value) }
        }
        try check("frameDuration", frameDuration, "a duration above 0 s", { $0 > 0 })
        try check("hopDuration", hopDuration, "a duration above 0 s and at most frameDuration (\(frameDuration))", { $0 > 0 && $0 <= frameDuration })
        try check("thresholdDB", thresholdDB, "a level difference of 0 dB or more", { $0 >= 0 })
        try check("floorDB", floorDB, "a level of at most 0 dBFS", { $0 <= 0 })
        try check("minimumSilenceDuration", minimumSilenceDuration, "a duration of 0 s or more", { $0 >= 0 })
        try check("minimumSpeechDuration", minimumSpeechDuration, "a duration of 0 s or more", { $0 >= 0 })
        try check("padding", padding, "a duration of 0 s or more", { $0 >= 0 })
        try check("maximumSegmentDuration", maximumSegmentDuration, "a duration above 0 s", { $0 > 0 })
        try check("segmentOverlap", segmentOverlap, "a duration of 0 s or more, below maximumSegmentDuration (\(maximumSegmentDuration))",
                  { $0 >= 0 && $0 < maximumSegmentDuration })
    }
}

/// One stretch of speech, in seconds from the start of the recording.
public struct SpeechSegment: Codable, Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// Which speech stretch this segment comes from (0, 1, ...): the windows a long stretch is cut into
    /// share it.
    public var stretch: Int

    public init(start: Double, end: Double, stretch: Int) {
        self.start = start
        self.end = end
        self.stretch = stretch
    }

    public var duration: Double { end - start }
}

/// An energy voice-activity detector that splits a recording into speech segments, fed block by block
/// (`AudioStream`'s blocks, or any cut of the samples: the result does not depend on the cut). It keeps
/// one level per hop (24 KB per minute at the default 10 ms) and less than one frame of samples, so its
/// memory grows with the recording's length only by the levels.
///
/// Algorithm (parameters in `VoiceActivityParameters`):
/// 1. Level of each frame: `10 log10(max(mean(x^2), 1e-10))` dBFS over `frameDuration`, frames every
///    `hopDuration` from sample 0 (the last frames hold fewer samples; the mean is over those present).
/// 2. Once the recording has ended: the threshold is `max(loudest frame - thresholdDB, floorDB)`;
///    a frame at or above it is speech, and a run of speech frames covers from half a hop before its
///    first frame's centre to half a hop after its last frame's centre.
/// 3. Runs separated by less than `minimumSilenceDuration` are joined; stretches shorter than
///    `minimumSpeechDuration` are dropped; each is widened by `padding` on both sides (clipped to the
///    recording) and stretches that then overlap are joined.
/// 4. A stretch longer than `maximumSegmentDuration` is cut into windows of that length starting every
///    `maximumSegmentDuration - segmentOverlap` seconds; the last window ends at the stretch's end (so
///    it may overlap its neighbour by more). Shorter stretches are one segment each.
///
/// The loudest frame sets the threshold, as `librosa.effects.split(ref=np.max)` does: a click louder
/// than the speech raises it (a 25 ms window spreads a 1 ms click 14 dB down); speech quieter than
/// `floorDB` is not found.
public struct VoiceActivityDetector: Sendable {
    public let parameters: VoiceActivityParameters
    public let sampleRate: Int
    /// Frame and hop lengths in samples.
    public let frameLength: Int
    public let hopLength: Int
    /// One level (dBFS) per frame so far.
    public private(set) var frameLevels: [Float] = []
    /// Samples appended so far.
    public private(set) var sampleCount = 0
    /// Samples from the start of the next frame on (fewer than `frameLength + block`).
    private var pending: [Float] = []

    public init(sampleRate: Int, parameters: VoiceActivityParameters = VoiceActivityParameters()) throws {
        precondition(sampleRate > 0, "sampleRate must be positive, got \(sampleRate)")
        try parameters.validate()
        self.parameters = parameters
        self.sampleRate = sampleRate
        frameLength = max(1, Int((parameters.frameDuration * Double(sampleRate)).rounded()))
        hopLength = min(frameLength, max(1, Int((parameters.hopDuration * Double(sampleRate)).rounded())))
    }

    /// Feeds the next samples of the recording.
    public mutating func append(_ samples: [Float]) {
        sampleCount += samples.count
        pending += samples
        var start = 0
        while start + frameLength <= pending.count {
            frameLevels.append(Self.level(pending[start..<(start + frameLength)]))
            start += hopLength
        }
        pending.removeFirst(start)
    }

    /// The speech segments of everything appended, in order. Finishes the partial frames at the end;
    /// appending afterwards is a programmer error.
    public mutating func finish() -> [SpeechSegment] {
        var start = 0
        while frameLevels.count * hopLength < sampleCount {
            frameLevels.append(Self.level(pending[start..<min(start + frameLength, pending.count)]))
            start += hopLength
        }
        pending = []
        return segments()
    }

    /// Segments `samples` in one call.
    public static func segments(of samples: [Float], sampleRate: Int,
                                parameters: VoiceActivityParameters = VoiceActivityParameters()) throws -> [SpeechSegment] {
        var detector = try VoiceActivityDetector(sampleRate: sampleRate, parameters: parameters)
        detector.append(samples)
        return detector.finish()
    }

    /// Segments the audio file at `url` read at `sampleRate` (its own rate when nil) through `AudioStream`,
    /// in memory bounded by the block size plus the levels.
    public static func segments(ofFile url: URL, sampleRate: Int? = nil,
                                parameters: VoiceActivityParameters = VoiceActivityParameters()) throws -> [SpeechSegment] {
        let stream = try AudioStream(url: url, sampleRate: sampleRate)
        var detector = try VoiceActivityDetector(sampleRate: stream.sampleRate, parameters: parameters)
        try stream.forEachBlock { detector.append($0) }
        return detector.finish()
    }

    private static func level(_ frame: ArraySlice<Float>) -> Float {
        var sum = 0.0
        for sample in frame { sum += Double(sample) * Double(sample) }
        return Float(10 * log10(max(sum / Double(frame.count), 1e-10)))
    }

    /// Steps 2-4 of the algorithm on `frameLevels`.
    private func segments() -> [SpeechSegment] {
        guard let loudest = frameLevels.max() else { return [] }
        let threshold = Float(max(Double(loudest) - parameters.thresholdDB, parameters.floorDB))
        let duration = Double(sampleCount) / Double(sampleRate)
        let hop = Double(hopLength) / Double(sampleRate)
        let centreOffset = Double(frameLength) / Double(sampleRate) / 2
        var stretches: [(start: Double, end: Double)] = []
        var runStart: Int?
        for index in 0...frameLevels.count {
            let isSpeech = index < frameLevels.count && frameLevels[index] >= threshold
            if isSpeech, runStart == nil { runStart = index }
            guard !isSpeech, let first = runStart else { continue }
            runStart = nil
            let start = max(0, Double(first) * hop + centreOffset - hop / 2)
            let end = min(duration, Double(index - 1) * hop + centreOffset + hop / 2)
            if let last = stretches.last, start - last.end < parameters.minimumSilenceDuration {
                stretches[stretches.count - 1].end = end
            } else {
                stretches.append((start, end))
            }
        }
        var padded: [(start: Double, end: Double)] = []
        for stretch in stretches where stretch.end - stretch.start >= parameters.minimumSpeechDuration {
            let start = max(0, stretch.start - parameters.padding), end = min(duration, stretch.end + parameters.padding)
            if let last = padded.last, start <= last.end {
                padded[padded.count - 1].end = end
            } else {
                padded.append((start, end))
            }
        }
        return padded.enumerated().flatMap { index, stretch in split(stretch, index: index) }
    }

    /// Step 4: windows of `maximumSegmentDuration` every `maximum - overlap` seconds, the last ending at the end.
    private func split(_ stretch: (start: Double, end: Double), index: Int) -> [SpeechSegment] {
        let maximum = parameters.maximumSegmentDuration
        let length = stretch.end - stretch.start
        guard length > maximum else { return [SpeechSegment(start: stretch.start, end: stretch.end, stretch: index)] }
        let step = maximum - parameters.segmentOverlap
        let count = Int(((length - parameters.segmentOverlap) / step).rounded(.up))
        return (0..<count).map { window in
            let start = window == count - 1 ? stretch.end - maximum : stretch.start + Double(window) * step
            return SpeechSegment(start: start, end: start + maximum, stretch: index)
        }
    }
}
