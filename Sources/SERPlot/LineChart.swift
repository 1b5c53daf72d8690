import Foundation

/// Lines over a numeric x axis with a legend: learning curves (one series per fold).
public struct LineChart {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: String
        public var dashed: Bool
        /// Points drawn as open circles on the line (e.g. the epoch kept).
        public var markers: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)], color: String, dashed: Bool = false, markers: [(x: Double, y: Double)] = []) {
            self.name = name; self.points = points; self.color = color; self.dashed = dashed; self.markers = markers
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var yFormat: TickFormat = .number
    /// Fixed y range; by default the data range widened to nice ticks.
    public var yDomain: (Double, Double)? = nil
    public var width: Double = 460
    public var height: Double = 260
    /// Legend entries when they differ from the series (e.g. "solid: train, dashed: validation").
    public var legendNotes: [String] = []
    /// Smallest x tick step (1 for epochs, so ticks never fall between them).
    public var xMinimumStep: Double = 0

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let legendWidth = 110.0
        let frame = PlotFrame(left: 58, top: 28, width: width - 58 - legendWidth - 12, height: height - 28 - 46)
        canvas.text(frame.left, 17, title, size: 12.5, weight: "bold")
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = finite.map(\.x), ys = finite.map(\.y)
        let xScale = LinearScale(domain: (xs.min() ?? 0, xs.max() ?? 1), range: (frame.left, frame.right))
        let yScale = yDomain.map { LinearScale(domain: $0, range: (frame.bottom, frame.top)) }
            ?? LinearScale(domain: (ys.min() ?? 0, ys.max() ?? 1), range: (frame.bottom, frame.top)).niced()
        frame.drawYAxis(&canvas, scale: yScale, label: yLabel, format: yFormat)
        frame.drawXAxis(&canvas, scale: xScale, label: xLabel, format: .number, minimumStep: xMinimumStep)
        for line in series {
            // A NaN (e.g. no validation loss that epoch) breaks the line into segments.
            var segment: [(Double, Double)] = []
            for point in line.points {
                if point.x.isFinite && point.y.isFinite { segment.append((xScale(point.x), yScale(point.y))) }
                else { canvas.polyline(segment, stroke: line.color, dash: line.dashed ? "5 3" : nil); segment = [] }
            }
            canvas.polyline(segment, stroke: line.color, dash: line.dashed ? "5 3" : nil)
            if segment.count == 1 && line.points.count == 1 { canvas.circle(segment[0].0, segment[0].1, radius: 2.5, fill: line.color) }
            for marker in line.markers where marker.x.isFinite && marker.y.isFinite {
                canvas.circle(xScale(marker.x), yScale(marker.y), radius: 4, fill: "#ffffff", stroke: line.color,
                              tooltip: "\(line.name): x=\(SVGCanvas.f(marker.x)), y=\(SVGCanvas.f(marker.y))")
            }
        }
        // Legend: one entry per distinct name (train/validation pairs share a fold colour).
        var seen = Set<String>()
        var y = frame.top + 4
        let legendX = frame.right + 14
        let names = series.map(\.name).filter { seen.insert($0).inserted }
        // Entries that would not fit the plot's height collapse into one line.
        let room = Int((frame.height - 12 * Double(legendNotes.count) - 8) / 15)
        if names.count <= max(1, room) {
            for name in names {
                let color = series.first { $0.name == name }!.color
                canvas.line(legendX, y, legendX + 18, y, stroke: color, width: 2.5)
                canvas.text(legendX + 23, y + 3.5, name, size: 10.5)
                y += 15
            }
        } else {
            canvas.text(legendX, y + 3.5, "\(names.count) series,", size: 10)
            canvas.text(legendX, y + 16, "colours repeat", size: 10)
            y += 30
        }
        for note in legendNotes {
            y += 4
            canvas.text(legendX, y + 3.5, note, size: 9.5, fill: "#555")
            y += 12
        }
        return canvas.render()
    }
}
