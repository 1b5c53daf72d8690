import Foundation
import SERPlot
import SERResults

extension HTMLReport {
    /// Per-class precision, recall and F1 of a run: a grouped bar chart (pooled bars, a dot per fold)
    /// and the table beside it (pooled, then mean ± sd over folds).
    func perClassSection(_ run: RunFolder) -> String {
        let metrics = PerClassMetrics(run: run)
        guard let pooled = metrics.pooled else {
            return "<p class=\"note\">No confusion.csv and no per-class metrics in metrics.json, so no per-class precision, recall and F1.</p>"
        }
        let series = PerClassMetrics.Measure.allCases.enumerated().map { position, measure in
            GroupedBarChart.Series(name: measure.title, values: pooled.map(measure.value),
                                   overlay: metrics.folds.isEmpty ? nil : metrics.labels.indices.map { metrics.foldValues(measure, classIndex: $0) },
                                   color: PlotColor.series(position))
        }
        var chart = GroupedBarChart(title: "Precision, recall and F1 per class, pooled over folds", categories: metrics.labels, series: series, yLabel: "score")
        chart.yFormat = .percent
        chart.yDomain = (0, 1)
        chart.xLabel = "class"
        chart.width = max(560, min(1100, 120 + Double(metrics.labels.count) * 110))
        var table = "<table class=\"per-class\"><thead><tr><th>class</th><th>support</th>"
            + PerClassMetrics.Measure.allCases.map { "<th>\($0.title)</th>" }.joined() + "</tr></thead><tbody>"
        for (index, label) in metrics.labels.enumerated() {
            table += "<tr><td>\(e(label))</td><td class=\"num\">\(pooled[index].support)</td>"
            for measure in PerClassMetrics.Measure.allCases {
                var cell = Comparison.percent(measure.value(pooled[index]))
                let folds = metrics.foldValues(measure, classIndex: index)
                if folds.count >= 2 {
                    cell += " (\(Comparison.percent(Summary.mean(folds))) ± \(Comparison.percent(Summary.standardDeviation(folds))))"
                }
                table += "<td class=\"num\">\(cell)</td>"
            }
            table += "</tr>"
        }
        table += "</tbody></table>"
        let note = "<p class=\"note\">Pooled over all test utterances in %; in brackets the mean ± sd over the \(metrics.folds.count) folds.</p>"
        return "<div class=\"plots\">\(chart.svg())<div>\(table)\(note)</div></div>"
    }
}
