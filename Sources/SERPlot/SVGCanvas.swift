import Foundation

/// A minimal SVG writer: shapes and text in user units (pixels), rendered as one standalone
/// `<svg>` element with an `xmlns`, a `<title>` and a viewBox, so it parses as XML on its own and
/// scales inside HTML. Every string is escaped.
public struct SVGCanvas {
    public var width: Double
    public var height: Double
    public var title: String
    private(set) var elements: [String] = []

    public init(width: Double, height: Double, title: String) {
        self.width = width; self.height = height; self.title = title
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Numbers with at most two decimals, no trailing zeros: compact and stable output.
    public static func f(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    public mutating func raw(_ element: String) { elements.append(element) }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#333", width: Double = 1, dash: String? = nil) {
        elements.append("<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    /// A rectangle; `tooltip` becomes a `<title>` child (shown on hover).
    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil, tooltip: String? = nil) {
        let attributes = "x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(max(0, w)))\" height=\"\(Self.f(max(0, h)))\" fill=\"\(fill)\"\(stroke.map { " stroke=\"\($0)\"" } ?? "")"
        if let tooltip { elements.append("<rect \(attributes)><title>\(Self.escape(tooltip))</title></rect>") }
        else { elements.append("<rect \(attributes)/>") }
    }

    public enum Anchor: String { case start, middle, end }

    public mutating func text(_ x: Double, _ y: Double, _ string: String, size: Double = 11, anchor: Anchor = .start, weight: String? = nil,
                              fill: String = "#222", rotate: Double? = nil) {
        var attributes = "x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-size=\"\(Self.f(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let rotate { attributes += " transform=\"rotate(\(Self.f(rotate)) \(Self.f(x)) \(Self.f(y)))\"" }
        elements.append("<text \(attributes)>\(Self.escape(string))</text>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\" stroke-linejoin=\"round\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    public mutating func polygon(_ points: [(Double, Double)], fill: String, stroke: String? = nil) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        elements.append("<polygon points=\"\(list)\" fill=\"\(fill)\"\(stroke.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? "")/>")
    }

    public mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String, stroke: String? = nil, tooltip: String? = nil) {
        let attributes = "cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(radius))\" fill=\"\(fill)\"\(stroke.map { " stroke=\"\($0)\"" } ?? "")"
        if let tooltip { elements.append("<circle \(attributes)><title>\(Self.escape(tooltip))</title></circle>") }
        else { elements.append("<circle \(attributes)/>") }
    }

    public func render() -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" role=\"img\" font-family=\"Helvetica, Arial, sans-serif\">"
        out += "<title>\(Self.escape(title))</title>"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" fill=\"#ffffff\"/>"
        out += elements.joined()
        out += "</svg>"
        return out
    }
}

/// Colours: a categorical palette for series and sequential maps for heatmaps.
public enum PlotColor {
    /// Tableau 10: distinguishable series colours.
    public static let categorical = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    public static func series(_ index: Int) -> String { categorical[index % categorical.count] }

    public enum Map: Sendable {
        /// Perceptually uniform dark blue -> green -> yellow (matplotlib's viridis, 9 stops).
        case viridis
        /// White -> dark blue, for counts and proportions.
        case blues
        /// Blue -> white -> red (ColorBrewer RdBu reversed), for signed values centred on 0 (MFCCs).
        case diverging
    }

    static let viridisStops: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141), (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]
    static let bluesStops: [(Double, Double, Double)] = [
        (247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214), (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107),
    ]

    static let divergingStops: [(Double, Double, Double)] = [
        (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (247, 247, 247), (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43),
    ]

    /// The map's colour at `t` in [0, 1] (clamped), linearly interpolated between stops, as `#rrggbb`.
    public static func color(_ map: Map, _ t: Double) -> String {
        let rgb = components(map, t)
        return String(format: "#%02x%02x%02x", Int(rgb.0.rounded()), Int(rgb.1.rounded()), Int(rgb.2.rounded()))
    }

    static func components(_ map: Map, _ t: Double) -> (Double, Double, Double) {
        let stops: [(Double, Double, Double)]
        switch map {
        case .viridis: stops = viridisStops
        case .blues: stops = bluesStops
        case .diverging: stops = divergingStops
        }
        let clamped = t.isFinite ? min(1, max(0, t)) : 0
        let position = clamped * Double(stops.count - 1)
        let index = min(stops.count - 2, Int(position))
        let fraction = position - Double(index)
        let a = stops[index], b = stops[index + 1]
        return (a.0 + (b.0 - a.0) * fraction, a.1 + (b.1 - a.1) * fraction, a.2 + (b.2 - a.2) * fraction)
    }

    /// Black or white, whichever reads better on `map` at `t` (relative luminance threshold 0.5).
    public static func textColor(on map: Map, _ t: Double) -> String {
        let (r, g, b) = components(map, t)
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 > 0.5 ? "#111111" : "#ffffff"
    }
}
