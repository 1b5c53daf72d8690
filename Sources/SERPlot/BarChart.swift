import Foundation

/// Vertical bars over categories, optionally with points over each bar (e.g. one per fold).
public struct BarChart {
    public var title: String
    public var categories: [String]
    public var values: [Double]
    public var yLabel: String
    public var xLabel: String = ""
    public var yFormat: TickFormat = .number
    public var yDomain: (Double, Double)? = nil
    /// Per category, extra values drawn as dots over the bar, with `overlayName` in the legend.
    public var overlay: [[Double]]? = nil
    public var overlayName: String = "per fold"
    public var color: String = PlotColor.series(0)
    /// Print each value above its bar.
    public var valueLabels: Bool = true
    public var width: Double = 460
    public var height: Double = 260

    public init(title: String, categories: [String], values: [Double], yLabel: String) {
        precondition(categories.count == values.count, "bar chart: \(categories.count) categories but \(values.count) values")
        self.title = title; self.categories = categories; self.values = values; self.yLabel = yLabel
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let longest = categories.map(\.count).max() ?? 0
        // Rotate category labels when they would collide.
        let slot = (width - 70) / Double(max(1, categories.count))
        let rotate = Double(longest) * 6.2 > slot
        let bottomSpace = rotate ? min(90, 18 + Double(longest) * 5.2) : 40
        let frame = PlotFrame(left: 58, top: 28, width: width - 58 - 12, height: height - 28 - bottomSpace - (xLabel.isEmpty ? 0 : 14))
        canvas.text(frame.left, 17, title, size: 12.5, weight: "bold")
        let all = values + (overlay?.flatMap { $0 } ?? [])
        let finite = all.filter(\.isFinite)
        let yScale = yDomain.map { LinearScale(domain: $0, range: (frame.bottom, frame.top)) }
            // 8% headroom so value labels above the tallest bar stay clear of the title.
            ?? LinearScale(domain: (min(0, finite.min() ?? 0), max(finite.max() ?? 1, 1e-9) * (valueLabels ? 1.08 : 1)), range: (frame.bottom, frame.top)).niced()
        frame.drawYAxis(&canvas, scale: yScale, label: yLabel, format: yFormat)
        let band = frame.width / Double(max(1, categories.count))
        let barWidth = band * 0.7
        for (index, category) in categories.enumerated() {
            let center = frame.left + band * (Double(index) + 0.5)
            let value = values[index]
            if value.isFinite {
                let top = yScale(max(value, yScale.domain.0)), base = yScale(max(0, yScale.domain.0))
                canvas.rect(center - barWidth / 2, min(top, base), barWidth, abs(base - top), fill: color,
                            tooltip: "\(category): \(yFormat.label(value, step: yFormat == .percent ? 0.001 : 0.01))")
                if valueLabels && band >= 22 {
                    let label = yFormat.label(value, step: yFormat == .percent ? 0.01 : Self.labelStep(values))
                    if overlay != nil {
                        // With dots over the bars, the value goes where no dot covers it (BarMarks).
                        let dotYs = (overlay?[index] ?? []).filter(\.isFinite).map { yScale($0) }
                        BarMarks.drawLabel(&canvas, label, center: center, barTop: min(top, base), barBase: max(top, base), dotYs: dotYs,
                                           size: 10, limitTop: frame.top - 10)
                    } else {
                        canvas.text(center, min(top, base) - 3, label, size: 9, anchor: .middle, fill: "#333")
                    }
                }
            }
            if let points = overlay?[index] {
                BarMarks.drawDots(&canvas, values: points, center: center, barWidth: barWidth, scale: yScale)
            }
            if rotate {
                canvas.text(center + 3, frame.bottom + 10, category, size: 10, anchor: .end, rotate: -45)
            } else {
                canvas.text(center, frame.bottom + 15, category, size: 10.5, anchor: .middle)
            }
            canvas.line(center, frame.bottom, center, frame.bottom + 3, stroke: "#444")
        }
        canvas.line(frame.left, frame.bottom, frame.right, frame.bottom, stroke: "#444")
        if !xLabel.isEmpty { canvas.text(frame.left + frame.width / 2, height - 6, xLabel, size: 11, anchor: .middle) }
        if overlay != nil {
            canvas.circle(frame.right - 80, 14, radius: 2.6, fill: "#222222")
            canvas.text(frame.right - 73, 17.5, overlayName, size: 10)
        }
        return canvas.render()
    }

    static func labelStep(_ values: [Double]) -> Double {
        values.allSatisfy { $0 == $0.rounded() } ? 1 : 0.1
    }
}

/// A histogram over a numeric axis: `binCount` equal bins between the data's minimum and maximum.
public struct Histogram {
    public var title: String
    public var values: [Double]
    public var xLabel: String
    public var binCount: Int
    public var width: Double = 460
    public var height: Double = 260

    public init(title: String, values: [Double], xLabel: String, binCount: Int = 30) {
        self.title = title; self.values = values; self.xLabel = xLabel; self.binCount = max(1, binCount)
    }

    /// Bin edges (binCount + 1) and counts; the last bin includes its right edge.
    public func bins() -> (edges: [Double], counts: [Int]) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return ([0, 1], [0]) }
        let span = high > low ? high - low : 1
        let edges = (0...binCount).map { low + span * Double($0) / Double(binCount) }
        var counts = [Int](repeating: 0, count: binCount)
        for value in finite { counts[min(binCount - 1, Int((value - low) / span * Double(binCount)))] += 1 }
        return (edges, counts)
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let frame = PlotFrame(left: 58, top: 28, width: width - 58 - 14, height: height - 28 - 46)
        canvas.text(frame.left, 17, title, size: 12.5, weight: "bold")
        let (edges, counts) = bins()
        let xScale = LinearScale(domain: (edges.first!, edges.last!), range: (frame.left, frame.right))
        let yScale = LinearScale(domain: (0, Double(max(1, counts.max() ?? 1))), range: (frame.bottom, frame.top)).niced()
        frame.drawYAxis(&canvas, scale: yScale, label: "files", format: .number)
        for (index, count) in counts.enumerated() {
            let x0 = xScale(edges[index]), x1 = xScale(edges[index + 1])
            canvas.rect(x0 + 0.5, yScale(Double(count)), x1 - x0 - 1, yScale(0) - yScale(Double(count)), fill: PlotColor.series(0),
                        tooltip: String(format: "%.2f-%.2f: %d", edges[index], edges[index + 1], count))
        }
        frame.drawXAxis(&canvas, scale: xScale, label: xLabel, format: .number)
        canvas.text(frame.right, 17, "n = \(values.count)", size: 10, anchor: .end, fill: "#555")
        return canvas.render()
    }
}
