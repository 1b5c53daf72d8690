import Foundation

/// A linear map from data values (`domain`) to pixels (`range`), with "nice" ticks.
public struct LinearScale: Sendable {
    public var domain: (Double, Double)
    public var range: (Double, Double)

    public init(domain: (Double, Double), range: (Double, Double)) {
        var low = domain.0, high = domain.1
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if low == high { low -= 0.5; high += 0.5 }
        self.domain = (low, high); self.range = range
    }

    public func callAsFunction(_ value: Double) -> Double {
        range.0 + (value - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
    }

    /// Tick step: 1, 2 or 5 times a power of ten, giving about `count` ticks (Heckbert's nice numbers).
    /// `minimumStep` keeps ticks on whole units where fractions make no sense (epochs: 1).
    public func tickStep(count: Int = 5, minimumStep: Double = 0) -> Double {
        let span = domain.1 - domain.0
        let raw = span / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let nice: Double = residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10
        return max(nice * magnitude, minimumStep)
    }

    /// Multiples of `tickStep` inside the domain.
    public func ticks(count: Int = 5, minimumStep: Double = 0) -> [Double] {
        let step = tickStep(count: count, minimumStep: minimumStep)
        var tick = ceil(domain.0 / step - 1e-9) * step
        var out: [Double] = []
        while tick <= domain.1 + step * 1e-9 {
            out.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return out
    }

    /// The domain widened to whole tick steps, for axes that should start and end on a tick.
    public func niced(count: Int = 5) -> LinearScale {
        let step = tickStep(count: count)
        return LinearScale(domain: (floor(domain.0 / step + 1e-9) * step, ceil(domain.1 / step - 1e-9) * step), range: range)
    }
}

/// How tick values print.
public enum TickFormat: Sendable {
    /// Decimals from the tick step (0.25 -> two decimals, 20 -> none).
    case number
    /// Fractions as percent: 0.2 -> "20%".
    case percent

    public func label(_ value: Double, step: Double) -> String {
        switch self {
        case .number:
            let decimals = max(0, min(6, Int(-floor(log10(step) + 1e-9))))
            return String(format: "%.\(decimals)f", value)
        case .percent:
            let decimals = max(0, min(4, Int(-floor(log10(step * 100) + 1e-9))))
            return String(format: "%.\(decimals)f%%", value * 100)
        }
    }
}

/// The rectangle a chart draws its data in, and the axis drawing shared by all charts.
struct PlotFrame {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var right: Double { left + width }
    var bottom: Double { top + height }

    /// A left axis with grid lines, tick labels and a rotated title.
    func drawYAxis(_ canvas: inout SVGCanvas, scale: LinearScale, label: String, format: TickFormat, tickCount: Int = 5, grid: Bool = true) {
        let step = scale.tickStep(count: tickCount)
        for tick in scale.ticks(count: tickCount) {
            let y = scale(tick)
            if grid { canvas.line(left, y, right, y, stroke: "#e3e3e3", width: 1) }
            canvas.line(left - 4, y, left, y, stroke: "#444")
            canvas.text(left - 6, y + 3.5, format.label(tick, step: step), size: 10, anchor: .end, fill: "#333")
        }
        canvas.line(left, top, left, bottom, stroke: "#444")
        canvas.text(left - 42, top + height / 2, label, size: 11, anchor: .middle, fill: "#222", rotate: -90)
    }

    /// A bottom axis with numeric ticks and a title.
    func drawXAxis(_ canvas: inout SVGCanvas, scale: LinearScale, label: String, format: TickFormat, tickCount: Int = 6, grid: Bool = false,
                   minimumStep: Double = 0) {
        let step = scale.tickStep(count: tickCount, minimumStep: minimumStep)
        for tick in scale.ticks(count: tickCount, minimumStep: minimumStep) {
            let x = scale(tick)
            if grid { canvas.line(x, top, x, bottom, stroke: "#eeeeee", width: 1) }
            canvas.line(x, bottom, x, bottom + 4, stroke: "#444")
            canvas.text(x, bottom + 15, format.label(tick, step: step), size: 10, anchor: .middle, fill: "#333")
        }
        canvas.line(left, bottom, right, bottom, stroke: "#444")
        canvas.text(left + width / 2, bottom + 32, label, size: 11, anchor: .middle, fill: "#222")
    }
}
