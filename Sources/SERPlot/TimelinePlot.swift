import Foundation

/// A long recording's predicted emotions over time: the waveform's min/max envelope on top and, under it,
/// a strip with one bar per segment in its label's colour (opacity by the label's probability, the
/// times and probability in a tooltip), and a legend of the labels.
///
/// Overlapping segments (the windows a long stretch of speech is cut into) are drawn in two rows, so
/// each stays visible; without overlaps a bar takes the strip's height.
public struct TimelinePlot {
    public struct Segment: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var label: String
        /// The predicted label's probability, 0...1.
        public var probability: Double

        public init(start: Double, end: Double, label: String, probability: Double) {
            self.start = start; self.end = end; self.label = label; self.probability = probability
        }
    }

    public var title: String
    /// Every label the model knows, in the order that picks their colours.
    public var labels: [String]
    public var segments: [Segment]
    public var minimum: [Double]
    public var maximum: [Double]
    public var durationSeconds: Double
    public var width: Double = 960
    public var height: Double = 300

    public init(title: String, labels: [String], segments: [Segment], minimum: [Double], maximum: [Double], durationSeconds: Double) {
        self.title = title; self.labels = labels; self.segments = segments
        self.minimum = minimum; self.maximum = maximum; self.durationSeconds = durationSeconds
    }

    /// Each label's colour: the categorical palette in `labels` order; unknown labels grey.
    public func color(of label: String) -> String {
        labels.firstIndex(of: label).map(PlotColor.series) ?? "#999999"
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let wave = PlotFrame(left: 58, top: 28, width: width - 58 - 14, height: height - 28 - 126)
        let strip = PlotFrame(left: wave.left, top: wave.bottom + 8, width: wave.width, height: 36)
        canvas.text(wave.left, 17, title, size: 12.5, weight: "bold")
        let xScale = WaveformPlot.drawEnvelope(&canvas, in: wave, minimum: minimum, maximum: maximum, durationSeconds: durationSeconds,
                                               color: "#8a8a8a")

        canvas.rect(strip.left, strip.top, strip.width, strip.height, fill: "#f4f4f4")
        canvas.text(strip.left - 6, strip.top + strip.height / 2 + 3.5, "emotion", size: 10, anchor: .end, fill: "#333")
        var rowEnds = [-Double.infinity, -Double.infinity]
        let overlaps = zip(segments, segments.dropFirst()).contains { $1.start < $0.end }
        let rowHeight = overlaps ? strip.height / 2 : strip.height
        for segment in segments {
            // The first row whose last bar ended before this one starts; else the row that ended first.
            let row = rowEnds[0] <= segment.start ? 0 : (rowEnds[1] <= segment.start ? 1 : (rowEnds[0] <= rowEnds[1] ? 0 : 1))
            rowEnds[row] = segment.end
            let x = xScale(segment.start), w = max(1, xScale(segment.end) - x)
            let tooltip = "\(format(segment.start))-\(format(segment.end)) s: \(segment.label) (p = \(format(segment.probability)))"
            canvas.rect(x, strip.top + Double(row) * rowHeight, w, rowHeight, fill: color(of: segment.label), tooltip: tooltip)
            if segment.probability < 1 {
                // Washed out towards white as the probability falls (a veil of 75% white at p = 0).
                let veil = 0.75 * (1 - max(0, min(1, segment.probability)))
                canvas.raw("<rect x=\"\(SVGCanvas.f(x))\" y=\"\(SVGCanvas.f(strip.top + Double(row) * rowHeight))\" width=\"\(SVGCanvas.f(w))\" "
                           + "height=\"\(SVGCanvas.f(rowHeight))\" fill=\"#ffffff\" fill-opacity=\"\(SVGCanvas.f(veil))\" pointer-events=\"none\"/>")
            }
            // Segment boundaries under the waveform, so the strip can be read against it.
            canvas.line(x, wave.top, x, wave.bottom, stroke: "#cccccc", width: 0.5)
        }
        strip.drawXAxis(&canvas, scale: xScale, label: "time (s)", format: .number)

        var x = wave.left
        let y = strip.bottom + 52
        for label in labels {
            canvas.rect(x, y - 9, 11, 11, fill: color(of: label))
            canvas.text(x + 15, y, label, size: 10.5)
            x += 22 + Double(label.count) * 6.5
        }
        return canvas.render()
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
