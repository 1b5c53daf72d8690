import Foundation
import SERCore
import SERPlot
import SERResults

/// `serlab report`: one self-contained HTML page (inline CSS and SVG, no script, no network;
/// a Content-Security-Policy forbids any fetch) for one or more runs.
public struct HTMLReport {
    public var runs: [RunFolder]
    public var comparison: Comparison
    /// Overviews by corpus name: from the runs' `corpusOverview.json`, or given explicitly.
    public var overviews: [String: CorpusOverview]
    public var generatedAt: Date

    public init(runs: [RunFolder], extraOverviews: [CorpusOverview] = [], generatedAt: Date = Date()) throws {
        precondition(!runs.isEmpty, "a report needs at least one run")
        self.runs = runs
        self.comparison = try Comparison(runs: runs)
        var overviews: [String: CorpusOverview] = [:]
        for overview in extraOverviews { overviews[overview.corpus] = overview }
        for run in runs { if let overview = run.corpusOverview, overviews[overview.corpus] == nil { overviews[overview.corpus] = overview } }
        self.overviews = overviews
        self.generatedAt = generatedAt
    }

    /// Section ids, for links and tests: `comparison`, `corpus-<corpus>`, `run-<n>`.
    public static func runAnchor(_ index: Int) -> String { "run-\(index + 1)" }

    public func html() -> String {
        var body: [String] = []
        let formatter = ISO8601DateFormatter()
        let synthetic = runs.contains { $0.metrics.syntheticData == true }
        body.append("<header><h1>serlab report</h1><p>\(runs.count) run\(runs.count == 1 ? "" : "s"), generated \(formatter.string(from: generatedAt)) by serlab \(e(serlabVersion)).</p></header>")
        if synthetic {
            body.append("<p class=\"warning\">Some runs below use serlab's synthetic corpus: their numbers say nothing about real speech.</p>")
        }
        body.append(navigation())
        body.append(comparisonSection())
        if let ranking = corpusRanking { body.append(acrossCorporaSection(ranking)) }
        let corpora = Array(Set(runs.map(\.metrics.corpus))).sorted()
        for corpus in corpora { body.append(corpusSection(corpus)) }
        for (index, run) in runs.enumerated() { body.append(runSection(run, index: index)) }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>serlab report: \(e(runs.map(\.metrics.name).uniqued().joined(separator: ", ")))</title>
        <style>\(HTMLReport.css)</style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    static let css = """
    body{font-family:Helvetica,Arial,sans-serif;margin:0 auto;max-width:1240px;padding:16px 24px;color:#222;background:#fafafa}
    h1{margin:0 0 4px 0;font-size:24px}h2{margin-top:34px;border-bottom:2px solid #4e79a7;padding-bottom:4px;font-size:20px}
    h3{font-size:15px;margin:20px 0 8px 0;color:#333}section{background:#fff;padding:4px 18px 16px 18px;margin:14px 0;border:1px solid #e2e2e2;border-radius:6px}
    table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
    th{background:#f0f3f7}td.config{font-size:12px;max-width:240px;color:#444}.tablewrap{overflow-x:auto}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.best{font-weight:bold;background:#eaf3e6}
    .plots{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}.plots svg{border:1px solid #eee;max-width:100%;height:auto}
    .note{color:#555;font-size:13px}.warning{background:#fff3cd;border:1px solid #e0c36a;padding:8px 12px;border-radius:4px}
    nav{font-size:13px;line-height:1.7}summary{cursor:pointer;font-size:13px;color:#333;margin:4px 0}nav a{margin-right:12px}ul.pairs{font-size:13px}code{font-size:12px;background:#f2f2f2;padding:1px 3px}
    """

    func e(_ text: String) -> String { SVGCanvas.escape(text) }

    /// Escaped, with a line-break opportunity after every comma (config summaries have no spaces).
    func breakable(_ text: String) -> String { e(text).replacingOccurrences(of: ",", with: ",<wbr>") }

    func navigation() -> String {
        var links = ["<a href=\"#comparison\">Comparison</a>"]
        if corpusRanking != nil { links.append("<a href=\"#across-corpora\">Across corpora</a>") }
        for corpus in Array(Set(runs.map(\.metrics.corpus))).sorted() { links.append("<a href=\"#corpus-\(e(corpus))\">Corpus \(e(corpus))</a>") }
        for (index, run) in runs.enumerated() { links.append("<a href=\"#\(HTMLReport.runAnchor(index))\">\(e(run.displayName))</a>") }
        return "<nav>\(links.joined(separator: " "))</nav>"
    }

    func comparisonSection() -> String {
        var out = ["<section id=\"comparison\" class=\"comparison\"><h2>Comparison</h2>",
                   "<p class=\"note\">Runs are grouped by corpus, label set and test folds; numbers from different groups are not comparable. Cells: mean ± sd over folds in %, [\(Summary.intervalName)]; bold: best in its column.</p>"]
        for group in comparison.groups {
            out.append("<h3>\(e(group.title))</h3><div class=\"tablewrap\"><table><thead><tr><th>run</th><th>model</th><th>features</th><th>params</th><th>time</th>"
                       + Metric.allCases.map { "<th>\($0.title)</th>" }.joined() + "</tr></thead><tbody>")
            for row in group.rows {
                let index = runs.firstIndex { $0.displayName == row.run } ?? 0
                var cells = "<td><a href=\"#\(HTMLReport.runAnchor(index))\">\(e(row.run))</a>\(e(Comparison.flags(row)))</td><td>\(e(row.model))</td>"
                cells += "<td class=\"config\">\(breakable(row.features))</td><td class=\"config\">\(breakable(row.parameters))</td><td class=\"num\">\(e(Comparison.duration(row.timeSeconds)))</td>"
                for metric in Metric.allCases {
                    let best = group.rows.count > 1 && row.best.contains(metric.rawValue)
                    cells += "<td class=\"num\(best ? " best" : "")\">\(e(Comparison.cell(row.summary(metric), best: false)))</td>"
                }
                out.append("<tr>\(cells)</tr>")
            }
            out.append("</tbody></table></div>")
            let pairs = Comparison.pairSection(group)
            if !pairs.isEmpty {
                out.append("<p class=\"note\">\(e(pairs[0]))</p><ul class=\"pairs\">" + pairs.dropFirst().map { "<li>\(e($0))</li>" }.joined() + "</ul>")
            }
        }
        out.append("</section>")
        return out.joined(separator: "\n")
    }

    /// The models x corpora ranking, when the runs cover at least two corpora.
    var corpusRanking: CorpusRanking? {
        Set(runs.map(\.metrics.corpus)).count >= 2 ? CorpusRanking(runs: runs) : nil
    }

    func acrossCorporaSection(_ ranking: CorpusRanking) -> String {
        var out = ["<section id=\"across-corpora\" class=\"across-corpora\"><h2>Across corpora</h2>",
                   "<p class=\"note\">\(e(CorpusRanking.heading)). A model is metrics.json's <code>model</code>; its latest run on each corpus counts.</p>",
                   "<div class=\"tablewrap\"><table><thead><tr><th>model</th>" + ranking.datasets.map { "<th>\(e($0))</th>" }.joined()
                   + (ranking.averageRanks.isEmpty ? "" : "<th>average rank</th>") + "</tr></thead><tbody>"]
        for (row, model) in ranking.models.enumerated() {
            out.append("<tr><td>\(e(model))</td>" + ranking.datasets.indices.map { "<td class=\"num\">\(e(ranking.cell(row, $0)))</td>" }.joined()
                       + (ranking.averageRanks.isEmpty ? "" : "<td class=\"num\">\(String(format: "%.2f", ranking.averageRanks[row]))</td>") + "</tr>")
        }
        out.append("</tbody></table></div>")
        if let diagram = ranking.diagram() { out.append("<div class=\"plots\">\(diagram.svg())</div>") }
        let lines = ranking.testLines() + ranking.notes
        if !lines.isEmpty { out.append("<ul class=\"pairs\">" + lines.map { "<li>\(e($0))</li>" }.joined() + "</ul>") }
        out.append("</section>")
        return out.joined(separator: "\n")
    }

    func corpusSection(_ corpus: String) -> String {
        var out = ["<section id=\"corpus-\(e(corpus))\" class=\"corpus-overview\"><h2>Corpus overview: \(e(corpus))</h2>"]
        guard let overview = overviews[corpus] else {
            out.append("<p class=\"note\">No <code>corpusOverview.json</code> in the run folders of this corpus, so there is no overview (see docs/report.md for the file the runner writes).</p></section>")
            return out.joined(separator: "\n")
        }
        if overview.syntheticData == true { out.append("<p class=\"warning\">This is serlab's synthetic corpus.</p>") }
        let labels = overview.filesPerLabel.keys.sorted()
        let speakers = overview.filesPerSpeaker.keys.sorted()
        var files = BarChart(title: "Files per label", categories: labels, values: labels.map { Double(overview.filesPerLabel[$0]!) }, yLabel: "files")
        files.xLabel = "label"
        var perSpeaker = BarChart(title: "Files per speaker", categories: speakers, values: speakers.map { Double(overview.filesPerSpeaker[$0]!) }, yLabel: "files")
        perSpeaker.color = PlotColor.series(1)
        perSpeaker.xLabel = "speaker"
        perSpeaker.valueLabels = speakers.count <= 12
        if speakers.count > 12 { perSpeaker.width = min(1100, 160 + Double(speakers.count) * 22) }
        let durations = Histogram(title: "Duration of the \(overview.durationsSeconds.count) files", values: overview.durationsSeconds, xLabel: "duration (s)",
                                  binCount: min(40, max(5, overview.durationsSeconds.count / 20)))
        out.append("<h3>Files and durations</h3><div class=\"plots\">\(files.svg())\(perSpeaker.svg())\(durations.svg())</div>")
        out.append("<h3>One example per emotion</h3>")
        for example in overview.examples {
            let frames = Double(example.spectrogramDB.first?.count ?? example.mfcc.first?.count ?? 0)
            let seconds = frames * example.frameDuration
            let waveform = WaveformPlot(title: "\(example.label): waveform", minimum: example.waveformMinimum, maximum: example.waveformMaximum,
                                        durationSeconds: example.durationSeconds)
            let isMel = example.spectrogramScale.lowercased() == "mel"
            var spectrogram = Heatmap(title: "\(example.label): \(isMel ? "log-mel " : "")spectrogram (0-\(Int(example.spectrogramMaxFrequency)) Hz)",
                                      values: example.spectrogramDB,
                                      axes: .numeric(x: (0, seconds), y: isMel ? (0, Double(example.spectrogramDB.count)) : (0, example.spectrogramMaxFrequency)),
                                      xLabel: "time (s)", yLabel: isMel ? "mel band" : "frequency (Hz)", colorBarLabel: "dB")
            spectrogram.height = 240
            var mfcc = Heatmap(title: "\(example.label): MFCC", values: example.mfcc, axes: .numeric(x: (0, seconds), y: (0, Double(example.mfcc.count))),
                               xLabel: "time (s)", yLabel: "coefficient", colorBarLabel: "value")
            mfcc.height = 240
            // c0 (log energy) is an order of magnitude larger than the rest: colour by the 2nd-98th
            // percentile of c1 and up, symmetric around 0, and let c0 saturate.
            if let range = Self.robustSymmetricRange(example.mfcc.dropFirst().flatMap { $0 }) {
                mfcc.domain = (-range, range)
                mfcc.colorMap = .diverging
                mfcc.title = "\(example.label): MFCC (colours fit c1+, c0 clipped)"
            }
            mfcc.width = 370
            spectrogram.width = 390
            var caption = "<p class=\"note\"><b>\(e(example.label))</b>: <code>\(e(example.path))</code>"
            if let speaker = example.speaker { caption += ", speaker \(e(speaker))" }
            caption += String(format: ", %.2f s</p>", example.durationSeconds)
            var wave = waveform
            wave.width = 350
            wave.height = 240
            out.append(caption + "<div class=\"plots\">\(wave.svg())\(spectrogram.svg())\(mfcc.svg())</div>")
        }
        out.append("</section>")
        return out.joined(separator: "\n")
    }

    func runSection(_ run: RunFolder, index: Int) -> String {
        let m = run.metrics
        var out = ["<section id=\"\(HTMLReport.runAnchor(index))\" class=\"run\"><h2>\(e(run.displayName))</h2>"]
        var facts = "<table><tbody><tr><th>corpus</th><td>\(e(m.corpus))</td><th>model</th><td>\(e(m.model))</td></tr>"
        facts += "<tr><th>protocol</th><td>\(e(m.protocol.kind)), \(m.protocol.folds) folds</td><th>labels</th><td>\(e(m.labels.joined(separator: ", ")))</td></tr>"
        facts += "<tr><th>features</th><td class=\"config\">\(breakable(run.featuresSummary))</td><th>params</th><td class=\"config\">\(breakable(run.parametersSummary))</td></tr>"
        if let pooled = m.pooled {
            facts += "<tr><th>pooled</th><td colspan=\"3\">WA \(Comparison.percent(pooled.accuracy))%, UAR \(Comparison.percent(pooled.uar))%, macro-F1 \(Comparison.percent(pooled.macroF1))%"
            if let ci = m.confidence95?.uar, ci.count == 2 { facts += "; UAR 95% \(e(m.confidence95?.method ?? "interval")): [\(Comparison.percent(ci[0])), \(Comparison.percent(ci[1]))]" }
            facts += "</td></tr>"
        }
        facts += "<tr><th>folder</th><td colspan=\"3\"><code>\(e(run.url.path))</code></td></tr></tbody></table>"
        out.append(facts)
        if m.syntheticData == true { out.append("<p class=\"warning\">Synthetic data.</p>") }
        if m.speakerOverlap == true { out.append("<p class=\"warning\">Speakers overlap between training and test folds: these numbers are optimistic.</p>") }

        // Per fold metrics table.
        out.append("<h3>Per fold</h3><table><thead><tr><th>fold</th><th>test utterances</th><th>WA</th><th>UAR</th><th>macro-F1</th><th>epoch kept</th></tr></thead><tbody>")
        for fold in m.folds.sorted(by: { $0.fold < $1.fold }) {
            out.append("<tr><td>\(fold.fold)</td><td class=\"num\">\(fold.testCount)</td><td class=\"num\">\(Comparison.percent(fold.accuracy))</td><td class=\"num\">\(Comparison.percent(fold.uar))</td><td class=\"num\">\(Comparison.percent(fold.macroF1))</td><td class=\"num\">\(fold.epochKept.map(String.init) ?? "-")</td></tr>")
        }
        out.append("</tbody></table>")
        out.append(perCorpusSection(m))

        out.append("<h3>Pooled confusion matrix</h3>")
        if let pooled = run.pooledConfusion {
            out.append("<div class=\"plots\">\(Self.confusionCounts(pooled, title: "Pooled counts (\(pooled.total) utterances)").svg())\(Self.confusionNormalised(pooled, title: "Pooled, row-normalised (recall on the diagonal)").svg())</div>")
        } else {
            out.append("<p class=\"note\">No confusion.csv and no per-fold confusion matrices in this run folder.</p>")
        }

        out.append("<h3>Per-class recall</h3>")
        out.append(recallChart(run))

        out.append("<h3>Per-class precision, recall and F1</h3>")
        out.append(perClassSection(run))

        out.append("<h3>Learning curves</h3>")
        if run.foldCurves.isEmpty {
            out.append("<p class=\"note\">No folds/fold-&lt;k&gt;/curve.csv in this run folder.</p>")
        } else {
            out.append("<div class=\"plots\">\(lossChart(run).svg())\(uarChart(run).svg())</div>")
        }

        out.append("<h3>Per-fold confusion matrices (row-normalised, counts in brackets)</h3>")
        if run.foldConfusions.isEmpty {
            out.append("<p class=\"note\">No folds/fold-&lt;k&gt;/confusion.csv in this run folder.</p>")
        } else {
            var plots: [String] = []
            for fold in run.foldConfusions.keys.sorted() {
                plots.append(Self.confusionNormalised(run.foldConfusions[fold]!, title: "Fold \(fold)", small: true).svg())
            }
            // Many folds: collapsed by default (a <details> element, no script), so the page stays scannable.
            let open = run.foldConfusions.count <= 6 ? " open" : ""
            out.append("<details\(open)><summary>\(run.foldConfusions.count) folds</summary><div class=\"plots\">\(plots.joined())</div></details>")
        }
        out.append("</section>")
        return out.joined(separator: "\n")
    }

    /// A multi-corpus run's figures per test corpus (pooled, then per fold where a test part spans
    /// several corpora); empty for a single-corpus run.
    func perCorpusSection(_ m: RunMetrics) -> String {
        guard let perCorpus = m.perCorpus, !perCorpus.entries.isEmpty else { return "" }
        var out = ["<h3>Per corpus</h3>"]
        if m.isCrossCorpus { out.append("<p class=\"note\">Cross-corpus protocol (\(e(m.protocol.kind))): every fold tests corpora it did not train on.</p>") }
        out.append("<table class=\"per-corpus\"><thead><tr><th>fold</th><th>trained on</th><th>test corpus</th><th>test utterances</th><th>WA</th><th>UAR</th></tr></thead><tbody>")
        for (corpus, figures) in perCorpus.entries {
            out.append("<tr><td>pooled</td><td></td><td>\(e(corpus))</td><td class=\"num\">\(figures.testCount)</td><td class=\"num\">\(Comparison.percent(figures.accuracy))</td><td class=\"num\">\(Comparison.percent(figures.uar))</td></tr>")
        }
        for fold in m.folds.sorted(by: { $0.fold < $1.fold }) {
            let trained = e((fold.trainCorpora ?? []).joined(separator: ", "))
            if let figures = fold.perCorpus {
                for (corpus, value) in figures.entries {
                    out.append("<tr><td>\(fold.fold)</td><td>\(trained)</td><td>\(e(corpus))</td><td class=\"num\">\(value.testCount)</td><td class=\"num\">\(Comparison.percent(value.accuracy))</td><td class=\"num\">\(Comparison.percent(value.uar))</td></tr>")
                }
            } else if let tested = fold.testCorpora {
                out.append("<tr><td>\(fold.fold)</td><td>\(trained)</td><td>\(e(tested.joined(separator: ", ")))</td><td class=\"num\">\(fold.testCount)</td><td class=\"num\">\(Comparison.percent(fold.accuracy))</td><td class=\"num\">\(Comparison.percent(fold.uar))</td></tr>")
            }
        }
        out.append("</tbody></table>")
        return out.joined(separator: "\n")
    }

    /// max(|2nd percentile|, |98th percentile|) of the finite values, or nil when there are none.
    static func robustSymmetricRange(_ values: [Double]) -> Double? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let low = sorted[Int(Double(sorted.count - 1) * 0.02)], high = sorted[Int(Double(sorted.count - 1) * 0.98)]
        let range = max(abs(low), abs(high))
        return range > 0 ? range : nil
    }

    /// Counts heatmap, colour by count.
    public static func confusionCounts(_ matrix: ConfusionMatrix, title: String) -> Heatmap {
        Heatmap.confusionCounts(labels: matrix.labels, counts: matrix.counts, title: title)
    }

    /// Row-normalised heatmap (SERPlot's `Heatmap.confusionShares`, the one `serlab run` writes as confusion.svg).
    public static func confusionNormalised(_ matrix: ConfusionMatrix, title: String, small: Bool = false) -> Heatmap {
        Heatmap.confusionShares(labels: matrix.labels, counts: matrix.counts, title: title, small: small)
    }

    func recallChart(_ run: RunFolder) -> String {
        let labels = run.metrics.labels
        var pooled: [Double] = labels.map { run.metrics.pooled?.perClass?[$0]?.recall ?? .nan }
        if pooled.contains(where: { $0.isNaN }), let matrix = run.pooledConfusion {
            let recalls = matrix.recalls
            pooled = labels.map { label in matrix.labels.firstIndex(of: label).flatMap { recalls[$0] } ?? .nan }
        }
        if pooled.allSatisfy({ $0.isNaN }) { return "<p class=\"note\">No per-class recall in metrics.json and no confusion matrix.</p>" }
        var chart = BarChart(title: "Recall per class, pooled over folds", categories: labels, values: pooled, yLabel: "recall")
        chart.yFormat = .percent
        chart.yDomain = (0, 1)
        chart.xLabel = "true class"
        let perFold = labels.map { label in run.metrics.folds.compactMap { $0.perClass?[label]?.recall } }
        if perFold.contains(where: { !$0.isEmpty }) { chart.overlay = perFold; chart.overlayName = "per fold" }
        chart.width = max(460, min(900, 100 + Double(labels.count) * 60))
        return "<div class=\"plots\">\(chart.svg())</div>"
    }

    func lossChart(_ run: RunFolder) -> LineChart {
        var series: [LineChart.Series] = []
        for (index, fold) in run.foldCurves.keys.sorted().enumerated() {
            let curve = run.foldCurves[fold]!
            let color = PlotColor.series(index)
            series.append(.init(name: "fold \(fold)", points: zip(curve.epochs, curve.trainLoss).map { (Double($0), $1) }, color: color))
            series.append(.init(name: "fold \(fold)", points: zip(curve.epochs, curve.validationLoss).map { (Double($0), $1) }, color: color, dashed: true))
        }
        var chart = LineChart(title: "Loss per epoch", xLabel: "epoch", yLabel: "cross-entropy loss", series: series)
        chart.legendNotes = ["solid: training", "dashed: validation"]
        chart.xMinimumStep = 1
        chart.width = 560
        chart.height = 300
        return chart
    }

    func uarChart(_ run: RunFolder) -> LineChart {
        var series: [LineChart.Series] = []
        let kept = Dictionary(run.metrics.folds.compactMap { f in f.epochKept.map { (f.fold, $0) } }, uniquingKeysWith: { a, _ in a })
        for (index, fold) in run.foldCurves.keys.sorted().enumerated() {
            let curve = run.foldCurves[fold]!
            var markers: [(x: Double, y: Double)] = []
            if let epoch = kept[fold], let position = curve.epochs.firstIndex(of: epoch) { markers = [(Double(epoch), curve.validationUAR[position])] }
            series.append(.init(name: "fold \(fold)", points: zip(curve.epochs, curve.validationUAR).map { (Double($0), $1) },
                                color: PlotColor.series(index), markers: markers))
        }
        var chart = LineChart(title: "Validation UAR per epoch", xLabel: "epoch", yLabel: "validation UAR", series: series)
        chart.yFormat = .percent
        let values = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        chart.yDomain = (max(0, ((values.min() ?? 0) * 10).rounded(.down) / 10), min(1, ((values.max() ?? 1) * 10).rounded(.up) / 10))
        if chart.yDomain!.0 >= chart.yDomain!.1 { chart.yDomain = (0, 1) }
        chart.legendNotes = ["circle: epoch kept"]
        chart.xMinimumStep = 1
        chart.width = 560
        chart.height = 300
        return chart
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
