import Foundation
import SERAudio
import SERPredict

/// What `POST /api/predict` answers for one uploaded recording: the whole file's prediction, its
/// waveform envelope (for the page to draw), and for long recordings (or on request) the segment
/// timeline of `serlab predict --segment`, with its SVG strip.
struct UploadPrediction: Encodable, Sendable {
    struct Envelope: Encodable, Sendable {
        var minimum: [Float]
        var maximum: [Float]
    }
    struct Segment: Encodable, Sendable {
        var start: Double
        var end: Double
        var label: String
        var probabilities: [String: Double]
    }
    struct SegmentTimeline: Encodable, Sendable {
        var segments: [Segment]
        var svg: String
    }

    var file: String
    var bundle: String
    var label: String
    var labels: [String]
    /// One per label, in `labels` order.
    var probabilities: [Double]
    var duration: Double
    var sampleRate: Int
    var envelope: Envelope
    var timeline: SegmentTimeline?

    /// Slices of the waveform envelope sent to the page.
    static let envelopeSlices = 600

    /// When to add the segment timeline.
    enum SegmentChoice: String, Sendable {
        case auto, yes, no
    }

    /// Predicts the audio file at `url` (an upload spooled to disk, decoded by content); `file` is how the
    /// user named it, used in every message instead of the spool's path.
    static func predict(_ url: URL, file: String, bundle: String, predictor: Predictor, segment: SegmentChoice,
                        configuration: ServeConfiguration) throws -> UploadPrediction {
        do {
            let info = try AudioFile.info(url)
            guard info.duration <= configuration.maximumAudioSeconds else {
                throw ServeError(.contentTooLarge, String(format: "%@: expected at most %.0f s of audio, found %.1f s", file, configuration.maximumAudioSeconds, info.duration))
            }
            let clip = try AudioFile.read(url, sampleRate: predictor.sampleRate)
            let prediction = try predictor.predict(samples: clip.samples, sampleRate: clip.sampleRate, source: url.path)
            var result = UploadPrediction(file: file, bundle: bundle, label: prediction.label, labels: predictor.labels,
                                          probabilities: prediction.probabilities, duration: clip.duration,
                                          sampleRate: info.sampleRate, envelope: envelope(clip.samples, slices: envelopeSlices))
            if segment == .yes || (segment == .auto && clip.duration >= configuration.segmentFromSeconds) {
                let timeline = try predictor.timeline(of: url, source: file, envelopeSlices: envelopeSlices)
                result.timeline = SegmentTimeline(
                    segments: timeline.segments.map { segment in
                        Segment(start: segment.start, end: segment.end, label: segment.prediction.label,
                                probabilities: Dictionary(uniqueKeysWithValues: zip(predictor.labels, segment.prediction.probabilities)))
                    },
                    svg: timeline.svg())
            }
            return result
        } catch let error as ServeError {
            throw error
        } catch {
            let message = (error as? LocalizedError)?.errorDescription ?? "\(error)"
            throw ServeError.unusableAudio(message.replacingOccurrences(of: url.path, with: file))
        }
    }

    /// Minimum and maximum of each of `slices` equal stretches of the samples (fewer for short audio).
    static func envelope(_ samples: [Float], slices: Int) -> Envelope {
        let count = min(slices, samples.count)
        guard count > 0 else { return Envelope(minimum: [], maximum: []) }
        var minimum = [Float](repeating: 0, count: count), maximum = [Float](repeating: 0, count: count)
        for slice in 0..<count {
            let range = (slice * samples.count / count)..<((slice + 1) * samples.count / count)
            var low = Float.infinity, high = -Float.infinity
            for index in range { low = min(low, samples[index]); high = max(high, samples[index]) }
            minimum[slice] = (low * 1000).rounded() / 1000
            maximum[slice] = (high * 1000).rounded() / 1000
        }
        return Envelope(minimum: minimum, maximum: maximum)
    }
}
