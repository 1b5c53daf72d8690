import Foundation
import SERAudio
import SERFeatures

/// One predicted speech segment of a long recording, in seconds from its start.
public struct TimelineSegment: Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// The speech stretch the segment comes from: the windows a long stretch is cut into share it.
    public var stretch: Int
    public var prediction: Prediction

    public init(start: Double, end: Double, stretch: Int, prediction: Prediction) {
        self.start = start
        self.end = end
        self.stretch = stretch
        self.prediction = prediction
    }
}

/// A recording split into speech segments by `VoiceActivityDetector`, each predicted on its own, and the
/// recording's waveform envelope for drawing (`Timeline+Output.swift` writes it as CSV, JSON, text, SVG).
public struct Timeline: Sendable {
    /// How the recording is named in outputs (its path, or `-` for standard input).
    public var source: String
    public var duration: Double
    public var labels: [String]
    public var segments: [TimelineSegment]
    /// The recording's min/max per slice of equal length (`WaveformEnvelope`).
    public var envelopeMinimum: [Float]
    public var envelopeMaximum: [Float]

    public init(source: String, duration: Double, labels: [String], segments: [TimelineSegment],
                envelopeMinimum: [Float] = [], envelopeMaximum: [Float] = []) {
        self.source = source
        self.duration = duration
        self.labels = labels
        self.segments = segments
        self.envelopeMinimum = envelopeMinimum
        self.envelopeMaximum = envelopeMaximum
    }
}

extension Predictor {
    /// The timeline of the recording at `url`, in memory bounded by the longest segment, a block and the
    /// detector's levels (one float per 10 ms), whatever the recording's length. Two passes of an
    /// `AudioStream` at the bundle's rate: the first feeds the voice-activity detector (its threshold is
    /// relative to the loudest frame of the whole recording) and the envelope, the second cuts each
    /// segment's samples out (`SegmentCutter`) and predicts them in batches of `Predictor.batchSize`.
    /// A segment's samples are those `AudioFile.read(url, sampleRate:)` holds there, so a segment that is
    /// a whole clip is predicted as that clip would be. Normalisation uses the bundle's stored statistics
    /// (as `predict(samples:sampleRate:)`; the segments of a recording form no speaker grouping).
    ///
    /// - Parameters:
    ///   - source: how errors and outputs name the recording (default: its path).
    ///   - envelopeSlices: slices of the waveform envelope (0: none).
    public func timeline(of url: URL, source: String? = nil, parameters: VoiceActivityParameters = VoiceActivityParameters(),
                         envelopeSlices: Int = 2000, blockDuration: Double = 4) throws -> Timeline {
        let name = source ?? url.path
        let first = try AudioStream(url: url, sampleRate: sampleRate, blockDuration: blockDuration)
        var detector = try VoiceActivityDetector(sampleRate: sampleRate, parameters: parameters)
        var envelope = envelopeSlices > 0 ? WaveformEnvelope(sampleCount: first.sampleCount, slices: envelopeSlices) : nil
        try first.forEachBlock { block in
            detector.append(block)
            envelope?.append(block)
        }
        let speech = detector.finish()

        var segments: [TimelineSegment] = []
        segments.reserveCapacity(speech.count)
        var pending: [(index: Int, input: FeatureMatrix, duration: Double)] = []
        func flush() {
            let rows = probabilities(inputs: pending.map(\.input))
            for (item, row) in zip(pending, rows) {
                let segment = speech[item.index]
                segments.append(TimelineSegment(start: segment.start, end: segment.end, stretch: segment.stretch,
                                                prediction: prediction(row, duration: item.duration)))
            }
            pending.removeAll(keepingCapacity: true)
        }
        func take(_ index: Int, _ samples: [Float]) throws {
            let segment = speech[index]
            let where_ = String(format: "%@ (segment %.2f-%.2f s)", name, segment.start, segment.end)
            pending.append((index, try Self.checked(modelInput(samples: samples), source: where_), Double(samples.count) / Double(sampleRate)))
            if pending.count == Self.batchSize { flush() }
        }
        if !speech.isEmpty {
            var cutter = SegmentCutter(segments: speech, sampleRate: sampleRate)
            try AudioStream(url: url, sampleRate: sampleRate, blockDuration: blockDuration).forEachBlock { block in
                try cutter.append(block, take)
            }
            try cutter.finish(take)
            flush()
        }
        return Timeline(source: name, duration: Double(first.sampleCount) / Double(sampleRate), labels: labels, segments: segments,
                        envelopeMinimum: envelope?.minimum ?? [], envelopeMaximum: envelope?.maximum ?? [])
    }
}
