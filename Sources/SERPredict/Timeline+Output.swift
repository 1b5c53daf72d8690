import Foundation
import SERCore
import SERPlot
import SERResults

/// What `serlab predict --segment --output` writes: every recording's segments, in input order, or the
/// reason it failed; the conventions of `PredictionTable` (probabilities with six decimals as
/// predictions.csv, times in seconds with three: the detector's boundaries fall on 10 ms steps).
///
/// CSV columns `path,start,end,stretch,label,p_<label>...,error`: a row per segment; a recording with no
/// speech one row with only its path; a failed one a row with its error. JSON: `{"labels": [...],
/// "recordings": [{"path", "duration", "segments": [{"start", "end", "stretch", "label",
/// "probabilities": {label: p}}], "error"}]}` (a failed recording: duration and segments null).
public struct TimelineTable: PredictionOutput, Sendable {
    public struct Recording: Sendable {
        public var path: String
        public var timeline: Timeline?
        /// Why the recording could not be segmented or predicted (the error's message, naming it).
        public var error: String?

        public init(path: String, timeline: Timeline?, error: String?) {
            self.path = path
            self.timeline = timeline
            self.error = error
        }
    }

    public var labels: [String]
    public var recordings: [Recording]

    public init(labels: [String], recordings: [Recording] = []) {
        self.labels = labels
        self.recordings = recordings
    }

    public var failureCount: Int { recordings.filter { $0.error != nil }.count }

    public var csv: String {
        let header = ["path", "start", "end", "stretch", "label"] + labels.map { "p_\($0)" } + ["error"]
        let empty = [String](repeating: "", count: 4 + labels.count)
        var lines = [header]
        for recording in recordings {
            guard let timeline = recording.timeline, !timeline.segments.isEmpty else {
                lines.append([recording.path] + empty + [recording.error ?? ""])
                continue
            }
            for segment in timeline.segments {
                lines.append([recording.path, Self.seconds(segment.start), Self.seconds(segment.end), String(segment.stretch),
                              segment.prediction.label] + segment.prediction.probabilities.map(ResultsFile.decimal) + [""])
            }
        }
        return lines.map(CSV.line).joined(separator: "\n") + "\n"
    }

    public var json: JSONValue {
        let items = recordings.map { recording -> JSONValue in
            var pairs: [(key: String, value: JSONValue)] = [("path", .string(recording.path))]
            if let timeline = recording.timeline {
                let segments = timeline.segments.map { segment -> JSONValue in
                    .object([("start", .number(Self.milliseconds(segment.start))), ("end", .number(Self.milliseconds(segment.end))),
                             ("stretch", .integer(segment.stretch)), ("label", .string(segment.prediction.label)),
                             ("probabilities", Self.probabilities(labels, segment.prediction.probabilities))])
                }
                pairs += [("duration", .number(Self.milliseconds(timeline.duration))), ("segments", .array(segments))]
            } else {
                pairs += [("duration", .null), ("segments", .null)]
            }
            pairs.append(("error", recording.error.map(JSONValue.string) ?? .null))
            return .object(pairs)
        }
        return .object([("labels", .array(labels.map(JSONValue.string))), ("recordings", .array(items))])
    }

}

extension Timeline {
    /// What `predict --segment` prints: a heading line, then a line per segment with its three most
    /// likely labels.
    public var summaryLines: [String] {
        var lines = [String(format: "%@: %.2f s, %d speech segment%@", source, duration, segments.count, segments.count == 1 ? "" : "s")]
        for segment in segments {
            let ranked = zip(labels, segment.prediction.probabilities).sorted { $0.1 > $1.1 }.prefix(3)
            let top = ranked.map { String(format: "%@ %.3f", $0.0, $0.1) }.joined(separator: "  ")
            lines.append(String(format: "  %8.2f - %8.2f s  %@  %@", segment.start, segment.end,
                                segment.prediction.label.padding(toLength: 10, withPad: " ", startingAt: 0), top))
        }
        return lines
    }

    /// The SVG strip: segments coloured by label (the bundle's label order picks the colours), washed out
    /// as their label's probability falls, under the waveform envelope.
    public func svg() -> String {
        let bars = segments.map { segment in
            TimelinePlot.Segment(start: segment.start, end: segment.end, label: segment.prediction.label,
                                 probability: labels.firstIndex(of: segment.prediction.label).map { segment.prediction.probabilities[$0] } ?? 0)
        }
        return TimelinePlot(title: "\(source): predicted emotion per speech segment", labels: labels, segments: bars,
                            minimum: envelopeMinimum.map(Double.init), maximum: envelopeMaximum.map(Double.init), durationSeconds: duration).svg()
    }
}
