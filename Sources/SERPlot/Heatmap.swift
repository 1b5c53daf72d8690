import Foundation

/// A matrix drawn as coloured cells with a colour bar: confusion matrices (labelled rows and
/// columns, text in the cells) and spectrograms/MFCCs (numeric axes, drawn as one embedded PNG
/// so a 64 x 200 matrix costs kilobytes, not thousands of rectangles).
public struct Heatmap {
    public enum Axes {
        /// Row and column names (rows top to bottom, columns left to right).
        case labelled(rows: [String], columns: [String])
        /// Numeric ranges: x over the columns, y over the rows with row 0 at the bottom.
        case numeric(x: (Double, Double), y: (Double, Double))
    }

    public var title: String
    /// `values[row][column]`.
    public var values: [[Double]]
    public var axes: Axes
    public var xLabel: String
    public var yLabel: String
    public var colorMap: PlotColor.Map = .viridis
    /// Colour range; by default the finite data range.
    public var domain: (Double, Double)? = nil
    public var colorBarLabel: String
    public var colorBarFormat: TickFormat = .number
    /// Text drawn in each cell (labelled axes only).
    public var cellText: [[String]]? = nil
    /// Tooltip per cell (labelled axes only).
    public var cellTooltips: [[String]]? = nil
    public var width: Double = 460
    public var height: Double = 300

    public init(title: String, values: [[Double]], axes: Axes, xLabel: String, yLabel: String, colorBarLabel: String) {
        self.title = title; self.values = values; self.axes = axes; self.xLabel = xLabel; self.yLabel = yLabel; self.colorBarLabel = colorBarLabel
    }

    /// Width and height that give square cells of `cellSize` pixels with labelled axes (the same
    /// margins `svg()` uses: row names on the left, column names below, rotated when too long).
    public static func labelledSize(rows: [String], columns: [String], cellSize: Double) -> (width: Double, height: Double) {
        let rowSpace = Double(rows.map(\.count).max() ?? 0) * 6.4 + 26
        let longest = Double(columns.map(\.count).max() ?? 0)
        let columnSpace = longest * 6.2 > cellSize ? longest * 4.4 + 30 : 40
        return (rowSpace + cellSize * Double(columns.count) + colorBarSpace, 28 + cellSize * Double(rows.count) + columnSpace)
    }

    static let colorBarSpace = 78.0

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let rows = values.count, columns = values.first?.count ?? 0
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let range = domain ?? (finite.min() ?? 0, finite.max() ?? 1)
        let span = range.1 > range.0 ? range.1 - range.0 : 1
        func t(_ value: Double) -> Double { (value - range.0) / span }
        canvas.text(8, 17, title, size: 12.5, weight: "bold")
        let colorBarSpace = Self.colorBarSpace
        var frame: PlotFrame
        switch axes {
        case let .labelled(rowNames, columnNames):
            let rowSpace = Double(rowNames.map(\.count).max() ?? 0) * 6.4 + 26
            let longest = Double(columnNames.map(\.count).max() ?? 0)
            let cellGuess = (width - rowSpace - colorBarSpace) / Double(max(1, columns))
            let rotate = longest * 6.2 > cellGuess
            let columnSpace = rotate ? longest * 4.4 + 30 : 40
            frame = PlotFrame(left: rowSpace, top: 28, width: width - rowSpace - colorBarSpace, height: height - 28 - columnSpace)
            let cellWidth = frame.width / Double(max(1, columns)), cellHeight = frame.height / Double(max(1, rows))
            let fontSize = min(11, max(7, min(cellWidth / 4.2, cellHeight / 2.4)))
            for row in 0..<rows {
                for column in 0..<columns {
                    let value = values[row][column]
                    let x = frame.left + Double(column) * cellWidth, y = frame.top + Double(row) * cellHeight
                    canvas.rect(x, y, cellWidth, cellHeight, fill: value.isFinite ? PlotColor.color(colorMap, t(value)) : "#dddddd", stroke: "#ffffff",
                                tooltip: cellTooltips?[row][column])
                    if let text = cellText?[row][column], !text.isEmpty {
                        let lines = text.split(separator: "\n").map(String.init)
                        let color = PlotColor.textColor(on: colorMap, t(value))
                        for (index, line) in lines.enumerated() {
                            let offset = (Double(index) - Double(lines.count - 1) / 2) * fontSize * 1.1
                            canvas.text(x + cellWidth / 2, y + cellHeight / 2 + fontSize * 0.35 + offset, line, size: index == 0 ? fontSize : fontSize * 0.85,
                                        anchor: .middle, fill: color)
                        }
                    }
                }
            }
            for (row, name) in rowNames.enumerated() {
                canvas.text(frame.left - 5, frame.top + (Double(row) + 0.5) * cellHeight + 3.5, name, size: 10.5, anchor: .end)
            }
            for (column, name) in columnNames.enumerated() {
                let x = frame.left + (Double(column) + 0.5) * cellWidth
                if rotate { canvas.text(x + 3, frame.bottom + 10, name, size: 10.5, anchor: .end, rotate: -45) }
                else { canvas.text(x, frame.bottom + 14, name, size: 10.5, anchor: .middle) }
            }
            canvas.text(frame.left + frame.width / 2, height - 5, xLabel, size: 11, anchor: .middle)
            canvas.text(11, frame.top + frame.height / 2, yLabel, size: 11, anchor: .middle, rotate: -90)
        case let .numeric(xRange, yRange):
            frame = PlotFrame(left: 58, top: 28, width: width - 58 - colorBarSpace, height: height - 28 - 46)
            var pixels = [UInt8]()
            pixels.reserveCapacity(rows * columns * 3)
            for row in (0..<rows).reversed() {
                for column in 0..<columns {
                    let value = values[row][column]
                    let (r, g, b) = value.isFinite ? PlotColor.components(colorMap, t(value)) : (221, 221, 221)
                    pixels += [UInt8(r.rounded()), UInt8(g.rounded()), UInt8(b.rounded())]
                }
            }
            if rows > 0 && columns > 0 {
                let png = PNGEncoder.rgb(width: columns, height: rows, pixels: pixels)
                canvas.raw("<image x=\"\(SVGCanvas.f(frame.left))\" y=\"\(SVGCanvas.f(frame.top))\" width=\"\(SVGCanvas.f(frame.width))\" height=\"\(SVGCanvas.f(frame.height))\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,\(png.base64EncodedString())\"/>")
            }
            let xScale = LinearScale(domain: xRange, range: (frame.left, frame.right))
            let yScale = LinearScale(domain: yRange, range: (frame.bottom, frame.top))
            frame.drawXAxis(&canvas, scale: xScale, label: xLabel, format: .number)
            frame.drawYAxis(&canvas, scale: yScale, label: yLabel, format: .number, grid: false)
        }
        drawColorBar(&canvas, frame: frame, range: range)
        return canvas.render()
    }

    private func drawColorBar(_ canvas: inout SVGCanvas, frame: PlotFrame, range: (Double, Double)) {
        let x = frame.right + 14, barWidth = 12.0
        let steps = 40
        for step in 0..<steps {
            let fraction = (Double(step) + 0.5) / Double(steps)
            let y = frame.bottom - Double(step + 1) * frame.height / Double(steps)
            canvas.rect(x, y, barWidth, frame.height / Double(steps) + 0.5, fill: PlotColor.color(colorMap, fraction))
        }
        canvas.rect(x, frame.top, barWidth, frame.height, fill: "none", stroke: "#666")
        let scale = LinearScale(domain: range, range: (frame.bottom, frame.top))
        let step = scale.tickStep(count: 4)
        for tick in scale.ticks(count: 4) {
            let y = scale(tick)
            canvas.line(x + barWidth, y, x + barWidth + 3, y, stroke: "#444")
            canvas.text(x + barWidth + 5, y + 3.5, colorBarFormat.label(tick, step: step), size: 9.5)
        }
        canvas.text(x + barWidth + 44, frame.top + frame.height / 2, colorBarLabel, size: 10.5, anchor: .middle, rotate: 90)
    }
}

/// Writes 8-bit RGB PNGs with stored (uncompressed) deflate blocks: no zlib dependency, and the
/// images the report embeds are small.
enum PNGEncoder {
    static func rgb(width: Int, height: Int, pixels: [UInt8]) -> Data {
        precondition(pixels.count == width * height * 3, "PNG: expected \(width * height * 3) bytes, got \(pixels.count)")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * 3 + 1))
        for row in 0..<height {
            raw.append(0)
            raw += pixels[(row * width * 3)..<((row + 1) * width * 3)]
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, raw.count - offset)
            let final: UInt8 = offset + length == raw.count ? 1 : 0
            zlib += [final, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8((~length >> 8) & 0xff)]
            zlib += raw[offset..<(offset + length)]
            offset += length
        } while offset < raw.count
        zlib += bigEndian(adler32(raw))
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return Data(png)
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(body.count)) + typeBytes + body + bigEndian(crc32(typeBytes + body))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return (b << 16) | a
    }
}

/// An audio waveform as its min/max envelope over time.
public struct WaveformPlot {
    public var title: String
    public var minimum: [Double]
    public var maximum: [Double]
    public var durationSeconds: Double
    public var color: String = PlotColor.series(0)
    public var width: Double = 460
    public var height: Double = 200

    public init(title: String, minimum: [Double], maximum: [Double], durationSeconds: Double) {
        self.title = title; self.minimum = minimum; self.maximum = maximum; self.durationSeconds = durationSeconds
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        let frame = PlotFrame(left: 58, top: 28, width: width - 58 - 14, height: height - 28 - 46)
        canvas.text(frame.left, 17, title, size: 12.5, weight: "bold")
        let xScale = Self.drawEnvelope(&canvas, in: frame, minimum: minimum, maximum: maximum, durationSeconds: durationSeconds, color: color)
        frame.drawXAxis(&canvas, scale: xScale, label: "time (s)", format: .number)
        return canvas.render()
    }

    /// The envelope as a filled polygon in `frame`, with its amplitude axis (symmetric about 0); returns
    /// the time scale for the caller's x axis. Shared with `TimelinePlot`.
    static func drawEnvelope(_ canvas: inout SVGCanvas, in frame: PlotFrame, minimum: [Double], maximum: [Double],
                             durationSeconds: Double, color: String) -> LinearScale {
        let peak = max(1e-6, (minimum.map(abs) + maximum.map(abs)).max() ?? 1)
        let yScale = LinearScale(domain: (-peak, peak), range: (frame.bottom, frame.top))
        let xScale = LinearScale(domain: (0, max(durationSeconds, 1e-6)), range: (frame.left, frame.right))
        frame.drawYAxis(&canvas, scale: yScale, label: "amplitude", format: .number, tickCount: 4)
        let n = min(minimum.count, maximum.count)
        if n > 0 {
            let step = durationSeconds / Double(n)
            let upper = (0..<n).map { (xScale((Double($0) + 0.5) * step), yScale(maximum[$0])) }
            let lower = (0..<n).reversed().map { (xScale((Double($0) + 0.5) * step), yScale(minimum[$0])) }
            canvas.polygon(upper + lower, fill: color, stroke: color)
        }
        return xScale
    }
}
