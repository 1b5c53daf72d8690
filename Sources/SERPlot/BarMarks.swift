import Foundation

/// What a bar chart draws on each bar: the dots over it (e.g. one per fold) and its value label,
/// placed where no dot covers it. Shared by `BarChart` and `GroupedBarChart`.
enum BarMarks {
    static let dotRadius = 2.6

    /// Dots at `values` (screen y by `scale`), spread across 60% of the bar's width.
    static func drawDots(_ canvas: inout SVGCanvas, values: [Double], center: Double, barWidth: Double, scale: LinearScale) {
        for (k, value) in values.enumerated() where value.isFinite {
            let jitter = values.count > 1 ? (Double(k) / Double(values.count - 1) - 0.5) * barWidth * 0.6 : 0
            canvas.circle(center + jitter, scale(value), radius: dotRadius, fill: "#222222", stroke: "#ffffff")
        }
    }

    /// The baseline y of a value label of font `size` for a bar spanning `barTop`...`barBase` (screen
    /// y, top < base) with dots at `dotYs`, and whether it sits inside the bar (white text) or above it.
    /// Inside: the highest position, from just under the bar's top down, whose text box (0.8 size
    /// above the baseline, 0.25 below) keeps one pixel clear of every dot. Above: over the bar and
    /// every dot, but not above `limitTop + size` (the plot's top), where a dot may then be overlapped.
    static func labelPosition(barTop: Double, barBase: Double, dotYs: [Double], size: Double, limitTop: Double) -> (y: Double, inside: Bool) {
        func clear(_ y: Double) -> Bool {
            let top = y - size * 0.8, bottom = y + size * 0.25
            return dotYs.allSatisfy { $0 + dotRadius + 1 < top || $0 - dotRadius - 1 > bottom }
        }
        if barBase - barTop > size + 6 {
            var y = barTop + size + 2
            while y <= barBase - 3 {
                if clear(y) { return (y, true) }
                y += 1
            }
        }
        let highest = ([barTop] + dotYs.map { $0 - dotRadius - 1 }).min()!
        return (max(limitTop + size, highest - 3), false)
    }

    /// Draws the label at `labelPosition`: white and bold inside the bar, dark above it.
    static func drawLabel(_ canvas: inout SVGCanvas, _ label: String, center: Double, barTop: Double, barBase: Double, dotYs: [Double],
                          size: Double, limitTop: Double) {
        let (y, inside) = labelPosition(barTop: barTop, barBase: barBase, dotYs: dotYs, size: size, limitTop: limitTop)
        if inside {
            canvas.text(center, y, label, size: size, anchor: .middle, weight: "bold", fill: "#ffffff")
        } else {
            canvas.text(center, y, label, size: size, anchor: .middle, fill: "#333")
        }
    }
}
