import Foundation
import SERCore
import SERPlot

/// The outputs of `serlab predict --segment`: a table of segments (CSV or JSON, several recordings in
/// one), a few printed lines per recording, and the SVG strip under the waveform.
///
/// Times are written in seconds to 3 decimals (the detector's boundaries fall on 10 ms steps),
/// probabilities to 6 decimals as predictions.csv writes them.
extension Timeline {
    /// One recording's outcome: its timeline, or why it has none.
    public typealias Outcome = (source: String, result: Result<Timeline, any Error>)

    /// `path,start,end,stretch,label,<one column per class>,error`: a row per segment, a recording
    /// without speech one row with empty times, a failed recording one row with its error.
    public static func csv(_ outcomes: [Outcome], labels: [String]) -> String {
        var lines = [CSV.line(["path", "start", "end", "stretch", "label"] + labels + ["error"])]
        for (source, result) in outcomes {
            switch result {
            case .failure(let error):
                lines.append(CSV.line([source, "", "", "", ""] + labels.map { _ in "" } + [error.localizedDescription]))
            case .success(let timeline) where timeline.segments.isEmpty:
                lines.append(CSV.line([source, "", "", "", ""] + labels.map { _ in "" } + [""]))
            case .success(let timeline):
                for segment in timeline.segments {
                    lines.append(CSV.line([source, seconds(segment.start), seconds(segment.end), String(segment.stretch), segment.prediction.label]
                                          + segment.prediction.probabilities.map(probability) + [""]))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"labels": [...], "recordings": [{"path", "duration", "segments": [{"start", "end", "stretch",
    /// "label", "probabilities": {class: p}}]} or {"path", "error"}]}`.
    public static func json(_ outcomes: [Outcome], labels: [String]) -> String {
        let recordings: [JSONValue] = outcomes.map { source, result in
            switch result {
            case .failure(let error):
                return .object([("path", .string(source)), ("error", .string(error.localizedDescription))])
            case .success(let timeline):
                let segments: [JSONValue] = timeline.segments.map { segment in
                    .object([("start", .number(round(segment.start, 1e3))), ("end", .number(round(segment.end, 1e3))),
                             ("stretch", .integer(segment.stretch)), ("label", .string(segment.prediction.label)),
                             ("probabilities", .object(zip(labels, segment.prediction.probabilities).map { ($0, .number(round($1, 1e6))) }))])
                }
                return .object([("path", .string(source)), ("duration", .number(round(timeline.duration, 1e3))), ("segments", .array(segments))])
            }
        }
        return JSONValue.object([("labels", .array(labels.map { .string($0) })), ("recordings", .array(recordings))]).prettyPrinted() + "\n"
    }

    /// What `predict --segment` prints: a heading line, then a line per segment with its most likely
    /// labels.
    public var summaryLines: [String] {
        var lines = [String(format: "%@: %.2f s, %d speech segment%@", source, duration, segments.count, segments.count == 1 ? "" : "s")]
        for segment in segments {
            let ranked = zip(labels, segment.prediction.probabilities).sorted { $0.1 > $1.1 }.prefix(3)
            let others = ranked.map { String(format: "%@ %.2f", $0.0, $0.1) }.joined(separator: ", ")
            lines.append(String(format: "  %8.2f - %8.2f s  %@  (%@)", segment.start, segment.end,
                                segment.prediction.label.padding(toLength: 10, withPad: " ", startingAt: 0), others))
        }
        return lines
    }

    /// The SVG strip: segments coloured by label (the bundle's label order picks the colours) under the
    /// waveform envelope.
    public func svg() -> String {
        let plot = TimelinePlot(title: "\(source): predicted emotion per speech segment", labels: labels,
                                segments: segments.map { TimelinePlot.Segment(start: $0.start, end: $0.end, label: $0.prediction.label,
                                                                              probability: $0.prediction.probabilities[labels.firstIndex(of: $0.prediction.label) ?? 0]) },
                                minimum: envelopeMinimum.map(Double.init), maximum: envelopeMaximum.map(Double.init), durationSeconds: duration)
        return plot.svg()
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }
    static func probability(_ value: Double) -> String { String(format: "%.6f", value) }
    static func round(_ value: Double, _ scale: Double) -> Double { (value * scale).rounded() / scale }
}
