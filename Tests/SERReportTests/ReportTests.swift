import Foundation
import Testing
import SERTestSupport
@testable import SERPlot
@testable import SERReport
import SERResults
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses a string as XML and collects element names and the first error.
final class XMLCheck: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var error: String?

    static func parse(_ text: String) -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = check
        if !parser.parse() && check.error == nil { check.error = parser.parserError.map { "\($0)" } ?? "unknown XML error" }
        return check
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(elementName)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if error == nil { error = "line \(parser.lineNumber): \(parseError)" }
    }
}

/// Every `<svg>...</svg>` element of an HTML page.
func svgElements(in html: String) -> [String] {
    var found: [String] = []
    var rest = html[...]
    while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
        found.append(String(rest[start.lowerBound..<end.upperBound]))
        rest = rest[end.upperBound...]
    }
    return found
}

@Suite struct PlotTests {
    @Test func everyChartIsWellFormedXML() throws {
        var line = LineChart(title: "Loss <train> & \"validation\"", xLabel: "epoch", yLabel: "loss",
                             series: [.init(name: "fold 0", points: [(1, 1.2), (2, 0.8), (3, .nan), (4, 0.5)], color: PlotColor.series(0), markers: [(2, 0.8)])])
        line.legendNotes = ["solid: training"]
        var bars = BarChart(title: "Recall", categories: ["angry", "happy", "pleasant surprise"], values: [0.8, 0.55, 0.91], yLabel: "recall")
        bars.yFormat = .percent
        bars.overlay = [[0.7, 0.9], [0.5, 0.6], [0.88, 0.93]]
        let histogram = Histogram(title: "Durations", values: [1.1, 1.5, 2.2, 2.3, 3.9], xLabel: "s", binCount: 4)
        let matrix = ConfusionMatrix(labels: ["a", "b"], counts: [[8, 2], [1, 9]])
        let heatmap = HTMLReport.confusionNormalised(matrix, title: "Confusion")
        let spectrogram = Heatmap(title: "Spectrogram", values: (0..<16).map { r in (0..<20).map { Double(r * $0) } }, axes: .numeric(x: (0, 2), y: (0, 16)),
                                  xLabel: "time (s)", yLabel: "mel band", colorBarLabel: "dB")
        let waveform = WaveformPlot(title: "Waveform", minimum: [-0.1, -0.5, -0.2], maximum: [0.1, 0.6, 0.2], durationSeconds: 1.5)
        for svg in [line.svg(), bars.svg(), histogram.svg(), heatmap.svg(), spectrogram.svg(), waveform.svg()] {
            let check = XMLCheck.parse(svg)
            #expect(check.error == nil, "\(check.error ?? "") in \(svg.prefix(200))")
            #expect(check.elements.first == "svg")
            #expect(check.elements.contains("text"))
        }
        #expect(line.svg().contains("Loss &lt;train&gt; &amp; &quot;validation&quot;"))
        // Row-normalised cells read as percent with the count beneath.
        #expect(heatmap.svg().contains(">80%<"))
        #expect(heatmap.svg().contains(">(2)<"))
        #expect(spectrogram.svg().contains("data:image/png;base64,"))
    }

    /// The timeline strip: one bar per segment in its label's colour with its times in a tooltip;
    /// overlapping windows go to the second row.
    @Test func timelineDrawsEverySegmentInItsLabelsColour() throws {
        let segments = [TimelinePlot.Segment(start: 0.5, end: 2, label: "sad", probability: 0.9),
                        TimelinePlot.Segment(start: 3, end: 11, label: "angry", probability: 1),
                        TimelinePlot.Segment(start: 10, end: 14, label: "happy <&>", probability: 0.4)]
        let plot = TimelinePlot(title: "talk.wav", labels: ["angry", "happy <&>", "sad"], segments: segments,
                                minimum: [-0.1, -0.5, -0.2, 0], maximum: [0.1, 0.6, 0.2, 0], durationSeconds: 15)
        let svg = plot.svg()
        let check = XMLCheck.parse(svg)
        #expect(check.error == nil, "\(check.error ?? "")")
        #expect(plot.color(of: "angry") == PlotColor.series(0) && plot.color(of: "sad") == PlotColor.series(2))
        #expect(plot.color(of: "unknown") == "#999999")
        for (segment, colour) in zip(segments, [PlotColor.series(2), PlotColor.series(0), PlotColor.series(1)]) {
            #expect(svg.contains("fill=\"\(colour)\"><title>\(String(format: "%.2f-%.2f s", segment.start, segment.end))"), "\(segment)")
        }
        #expect(svg.contains("happy &lt;&amp;&gt; (p = 0.40)"))
        // Strip rows: the first two bars in row 0, the overlapping third in row 1 (half the strip lower).
        let rowTops = svg.components(separatedBy: "<rect ").compactMap { rect -> Double? in
            guard rect.contains("<title>"), let y = rect.range(of: "y=\"") else { return nil }
            return Double(rect[y.upperBound...].prefix { $0 != "\"" })
        }
        #expect(rowTops.count == 3 && rowTops[0] == rowTops[1] && rowTops[2] == rowTops[0] + 18, "\(rowTops)")
    }

    @Test func niceTicks() {
        let scale = LinearScale(domain: (0, 1), range: (0, 100))
        // Six ticks at multiples of 0.2 (accumulated steps, so compared with a tolerance, not bit for bit).
        let ticks = scale.ticks(count: 5)
        #expect(ticks.count == 6, "\(ticks)")
        for (tick, expected) in zip(ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]) {
            #expect(abs(tick - expected) < 1e-12, "\(ticks)")
        }
        #expect(scale.tickStep(count: 5) == 0.2)
        #expect(LinearScale(domain: (1, 3), range: (0, 1)).ticks(count: 6, minimumStep: 1) == [1, 2, 3])
        #expect(LinearScale(domain: (0.37, 9.2), range: (0, 1)).niced().domain == (0, 10))
        #expect(TickFormat.percent.label(0.4, step: 0.2) == "40%")
        #expect(TickFormat.number.label(0.25, step: 0.05) == "0.25")
        #expect(TickFormat.number.label(20, step: 5) == "20")
    }

    /// The PNG writer: signature, IHDR CRC known from the PNG spec example (IEND's CRC is AE 42 60 82).
    @Test func pngEncoderWritesValidChunks() {
        let png = [UInt8](PNGEncoder.rgb(width: 2, height: 1, pixels: [255, 0, 0, 0, 0, 255]))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png.suffix(4)) == [0xAE, 0x42, 0x60, 0x82])
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGEncoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func colorMapsEndpoints() {
        #expect(PlotColor.color(.viridis, 0) == "#440154")
        #expect(PlotColor.color(.viridis, 1) == "#fde725")
        #expect(PlotColor.color(.blues, 0) == "#f7fbff")
        #expect(PlotColor.color(.diverging, 0.5) == "#f7f7f7")
        #expect(PlotColor.textColor(on: .blues, 1) == "#ffffff")
        #expect(PlotColor.textColor(on: .blues, 0) == "#111111")
    }
}

@Suite struct HTMLReportTests {
    @Test func reportHasEverySectionAndEverySVGParses() throws {
        let root = TestSupport.temporaryDirectory("serlab-report")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let runs = try RunFolder.discover([root])
        let html = try HTMLReport(runs: runs, generatedAt: Date(timeIntervalSince1970: 0)).html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for needle in ["id=\"comparison\"", "id=\"corpus-fixture\"", "class=\"corpus-overview\"", "Files per label", "Files per speaker", "Duration of the 240 files",
                       "One example per emotion", "angry: waveform", "angry: log-mel spectrogram", "angry: MFCC (colours fit c1+, c0 clipped)",
                       "Pooled confusion matrix", "Pooled counts", "row-normalised", "Per-class recall", "Learning curves", "Validation UAR per epoch",
                       "Loss per epoch", "Per-fold confusion matrices", "Fold 4", "Paired tests against the best UAR run"] {
            #expect(html.contains(needle), "report lacks \(needle)")
        }
        for index in runs.indices { #expect(html.contains("id=\"\(HTMLReport.runAnchor(index))\"")) }
        // Self-contained: no script, no external reference (the only URL is the SVG namespace).
        #expect(!html.contains("<script"))
        let urls = html.components(separatedBy: "http").count - 1
        let namespaces = html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1
        #expect(urls == namespaces + 1)  // + the Content-Security-Policy meta's http-equiv
        let svgs = svgElements(in: html)
        // Per 4-label run: counts, normalised, recall, loss, UAR, 5 folds = 10; overview: 3 + 4 examples x 3.
        #expect(svgs.count >= 5 * 10 + 3 + 12)
        for svg in svgs {
            let check = XMLCheck.parse(svg)
            #expect(check.error == nil, "\(check.error ?? "") in \(svg.prefix(160))")
        }
    }

    @Test func missingOverviewAndCurvesAreSaidNotHidden() throws {
        let root = TestSupport.temporaryDirectory("serlab-report-sparse")
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try RunFixture(name: "solo", runID: "r1").write(under: root)
        for fold in 0..<5 { try FileManager.default.removeItem(at: url.appendingPathComponent("folds/fold-\(fold)/curve.csv")) }
        let html = try HTMLReport(runs: [try RunFolder(url: url)]).html()
        #expect(html.contains("No <code>corpusOverview.json</code>"))
        #expect(html.contains("No folds/fold-&lt;k&gt;/curve.csv"))
        for svg in svgElements(in: html) { #expect(XMLCheck.parse(svg).error == nil) }
    }
}

@Suite struct CorpusOverviewValidationTests {
    /// The shapes the report's plots rely on are checked, and a ragged one is named by its JSON path.
    @Test func validationNamesTheRaggedRow() throws {
        let row = [Double](repeating: -40, count: 150)
        let example = CorpusOverview.Example(label: "angry", path: "a.wav", speaker: "s1", durationSeconds: 1, waveformMinimum: [-0.5, -0.2],
                                             waveformMaximum: [0.5, 0.2], spectrogramDB: [row, row, row], spectrogramMaxFrequency: 500,
                                             spectrogramScale: "mel", mfcc: [row, row], frameDuration: 0.006)
        let overview = CorpusOverview(corpus: "c", filesPerLabel: ["angry": 1], filesPerSpeaker: ["s1": 1], durationsSeconds: [1], examples: [example])
        try overview.validate(path: "corpusOverview.json")
        var ragged = overview
        ragged.examples[0].mfcc[1].removeLast()
        #expect(throws: ReportError.unreadableJSON(path: "corpusOverview.json", jsonPath: "examples[0].mfcc[1]", problem: "expected 150 frames like row 0, found 149")) {
            try ragged.validate(path: "corpusOverview.json")
        }
    }
}
