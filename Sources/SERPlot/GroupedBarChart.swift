import Foundation

/// Bars in groups: one group per category, one bar per series (e.g. precision, recall and F1 per
/// emotion), each optionally with dots over it (one per fold) and its value printed where no dot
/// covers it. A legend names the series.
public struct GroupedBarChart {
    public struct Series {
        public var name: String
        /// One value per category (NaN: no bar).
        public var values: [Double]
        /// Per category, values drawn as dots over this series' bar.
        public var overlay: [[Double]]?
        public var color: String

        public init(name: String, values: [Double], overlay: [[Double]]? = nil, color: String) {
            self.name = name; self.values = values; self.overlay = overlay; self.color = color
        }
    }

    public var title: String
    public var categories: [String]
    public var series: [Series]
    public var yLabel: String
    public var xLabel: String = ""
    public var yFormat: TickFormat = .number
    public var yDomain: (Double, Double)? = nil
    public var overlayName: String = "per fold"
    /// Print each value on its bar (when the bars are at least 16 pixels wide).
    public var valueLabels: Bool = true
    public var width: Double = 720
    public var height: Double = 300

    public init(title: String, categories: [String], series: [Series], yLabel: String) {
        precondition(series.allSatisfy { $0.values.count == categories.count && ($0.overlay?.count ?? categories.count) == categories.count },
                     "grouped bar chart: \(categories.count) categories but series of \(series.map(\.values.count)) values")
        self.title = title; self.categories = categories; self.series = series; self.yLabel = yLabel
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let frame = PlotFrame(left: 58, top: 40, width: width - 58 - 12, height: height - 40 - 40 - (xLabel.isEmpty ? 0 : 14))
        canvas.text(frame.left, 17, title, size: 12.5, weight: "bold")
        let finite = series.flatMap { $0.values + ($0.overlay?.flatMap { $0 } ?? []) }.filter(\.isFinite)
        let yScale = yDomain.map { LinearScale(domain: $0, range: (frame.bottom, frame.top)) }
            ?? LinearScale(domain: (min(0, finite.min() ?? 0), max(finite.max() ?? 1, 1e-9)), range: (frame.bottom, frame.top)).niced()
        frame.drawYAxis(&canvas, scale: yScale, label: yLabel, format: yFormat)
        let band = frame.width / Double(max(1, categories.count))
        let barWidth = band * 0.8 / Double(max(1, series.count))
        let labelSize = min(9, barWidth * 0.42)
        for (index, category) in categories.enumerated() {
            let groupLeft = frame.left + band * (Double(index) + 0.1)
            for (s, item) in series.enumerated() {
                let center = groupLeft + barWidth * (Double(s) + 0.5)
                let value = item.values[index]
                let dots = (item.overlay?[index] ?? []).filter(\.isFinite)
                if value.isFinite {
                    let top = yScale(max(value, yScale.domain.0)), base = yScale(max(0, yScale.domain.0))
                    canvas.rect(center - barWidth / 2 + 0.5, min(top, base), barWidth - 1, abs(base - top), fill: item.color,
                                tooltip: "\(category), \(item.name): \(yFormat.label(value, step: yFormat == .percent ? 0.001 : 0.01))")
                    if valueLabels && barWidth >= 16 {
                        let label = yFormat.label(value, step: yFormat == .percent ? 0.01 : BarChart.labelStep(item.values))
                        BarMarks.drawLabel(&canvas, label, center: center, barTop: min(top, base), barBase: max(top, base),
                                           dotYs: dots.map { yScale($0) }, size: labelSize, limitTop: frame.top - 10)
                    }
                }
                BarMarks.drawDots(&canvas, values: dots, center: center, barWidth: barWidth, scale: yScale)
            }
            let center = frame.left + band * (Double(index) + 0.5)
            canvas.text(center, frame.bottom + 15, category, size: 10.5, anchor: .middle)
            canvas.line(center, frame.bottom, center, frame.bottom + 3, stroke: "#444")
        }
        canvas.line(frame.left, frame.bottom, frame.right, frame.bottom, stroke: "#444")
        if !xLabel.isEmpty { canvas.text(frame.left + frame.width / 2, height - 6, xLabel, size: 11, anchor: .middle) }
        // Legend on one line under the title: a swatch per series, then the dot.
        var x = frame.left
        for item in series {
            canvas.rect(x, 24, 10, 10, fill: item.color)
            canvas.text(x + 14, 33, item.name, size: 10)
            x += 24 + Double(item.name.count) * 6
        }
        if series.contains(where: { $0.overlay != nil }) {
            canvas.circle(x + 5, 29, radius: BarMarks.dotRadius, fill: "#222222")
            canvas.text(x + 12, 33, overlayName, size: 10)
        }
        return canvas.render()
    }
}
