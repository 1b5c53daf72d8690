import Foundation
import Testing
import SERCore
import SERTestSupport
@testable import SERPlot
@testable import SERReport
import SERResults

@Suite struct PerClassTests {
    /// By hand for [[8, 2], [1, 9]]: a has precision 8/9, recall 8/10, F1 2·(8/9)(4/5)/(8/9 + 4/5) = 16/19;
    /// b has precision 9/11, recall 9/10, F1 6/7.
    @Test func confusionMatrixClassMetricsByHand() {
        let classes = ConfusionMatrix(labels: ["a", "b"], counts: [[8, 2], [1, 9]]).classMetrics
        let expected: [(Double, Double, Double, Int)] = [(8.0 / 9, 0.8, 16.0 / 19, 10), (9.0 / 11, 0.9, 6.0 / 7, 10)]
        for (computed, (p, r, f, support)) in zip(classes, expected) {
            #expect(abs(computed.precision - p) < 1e-15 && abs(computed.recall - r) < 1e-15 && abs(computed.f1 - f) < 1e-15)
            #expect(computed.support == support)
        }
        // A class never predicted and never present: zeros, no division by zero.
        let empty = ConfusionMatrix(labels: ["a", "b"], counts: [[3, 0], [0, 0]]).classMetrics[1]
        #expect(empty.precision == 0 && empty.recall == 0 && empty.f1 == 0 && empty.support == 0)
    }

    /// From the confusion matrices the run wrote, the numbers metrics.json holds; without the
    /// matrices, metrics.json's own.
    @Test func runPerClassMetricsMatchMetricsJSON() throws {
        let root = TestSupport.temporaryDirectory("serlab-perclass")
        defer { try? FileManager.default.removeItem(at: root) }
        var fixture = RunFixture(name: "x", runID: "r")
        fixture.skillPerLabel = ["angry": 0.9, "sad": 0.4]
        let url = try fixture.write(under: root)
        var run = try RunFolder(url: url)
        let metrics = PerClassMetrics(run: run)
        let pooled = try #require(metrics.pooled)
        #expect(metrics.folds.count == 5)
        for (index, label) in run.metrics.labels.enumerated() {
            let stored = try #require(run.metrics.pooled?.perClass?[label])
            #expect(abs(pooled[index].precision - stored.precision) < 1e-12 && abs(pooled[index].f1 - stored.f1) < 1e-12)
            #expect(pooled[index].support == stored.support)
            #expect(abs(metrics.foldValues(.recall, classIndex: index)[2] - run.metrics.folds[2].perClass![label]!.recall) < 1e-12)
        }
        run.pooledConfusion = nil
        run.foldConfusions = [:]
        let fromJSON = PerClassMetrics(run: run)
        #expect(fromJSON.folds.count == 5)
        #expect(fromJSON.pooled?.map(\.support) == pooled.map(\.support))
    }

    @Test func compareShowsEveryRunSideBySide() throws {
        let root = TestSupport.temporaryDirectory("serlab-perclass-compare")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let runs = try RunFolder.discover([root])
        let comparison = try Comparison(runs: runs)
        let perClass = PerClassComparison(runs: runs, comparison: comparison)
        let main = try #require(perClass.groups.first { $0.runs.count == 3 })
        #expect(main.runs.map(\.run) == comparison.groups.first { $0.rows.count == 3 }!.rows.map(\.run))
        let table = try perClass.render(.table)
        let header = try #require(table.split(separator: "\n").first { $0.hasPrefix("class") })
        #expect(header.contains("lstm_fixture/20261126-100000-42") && header.contains("cnn_fixture/20261126-101000-42") && header.contains("mlp_fixture/"))
        #expect(table.contains(PerClassComparison.legend))
        let angry = try #require(main.runs[0].pooled?[0])
        #expect(table.contains("\(Comparison.percent(angry.precision)) / \(Comparison.percent(angry.recall)) / \(Comparison.percent(angry.f1))"))
        let csv = try CSVTable(text: try perClass.render(.csv), path: "perclass.csv")
        #expect(csv.rows.count == 3 * 4 + 4 + 3)
        #expect(try perClass.render(.markdown).contains("| class | support | lstm_fixture/20261126-100000-42 |"))
        let decoded = try JSONDecoder().decode(PerClassComparison.self, from: Data(try perClass.render(.json).utf8))
        #expect(decoded == perClass)
    }

    @Test func comparePerClassCommand() throws {
        let root = TestSupport.temporaryDirectory("serlab-perclass-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let table = try TestSupport.runSerlab(["compare", root.path, "--per-class"])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.contains(PerClassComparison.legend))
        let csv = try TestSupport.runSerlab(["compare", root.path, "--per-class", "--format", "csv"])
        #expect(csv.standardOutput.hasPrefix("group,run,class,support,precision,recall,f1,"))
        let withPair = try TestSupport.runSerlab(["compare", root.path, "--per-class", "--pair", "lstm_fixture", "cnn_fixture"])
        #expect(withPair.status != 0)
        #expect(withPair.standardError.contains("--per-class shows every run of each group; it cannot be combined with --pair"))
    }

    /// The value label of a bar never sits under a dot: inside the bar it moves down to a clear
    /// spot, and above the bar it goes over the highest dot.
    @Test func valueLabelsAvoidTheDots() {
        var generator = SeededGenerator(seed: 17, stream: "bar labels")
        for trial in 0..<500 {
            let base = 220.0, top = 30 + generator.nextDouble() * 180
            let dots = (0..<Int(generator.next() % 7)).map { _ in 20 + generator.nextDouble() * 200 }
            let size = 9.0
            let (y, inside) = BarMarks.labelPosition(barTop: top, barBase: base, dotYs: dots, size: size, limitTop: 0)
            let boxTop = y - size * 0.8, boxBottom = y + size * 0.25
            let covered = dots.filter { $0 + BarMarks.dotRadius + 1 >= boxTop && $0 - BarMarks.dotRadius - 1 <= boxBottom }
            #expect(covered.isEmpty, "trial \(trial) (seed 17): label at \(y) covers dots \(covered)")
            if inside { #expect(boxTop >= top && boxBottom <= base) } else { #expect(boxBottom <= top) }
        }
        // Dots where today's label was (just under the bar's top): the label moves down inside the bar.
        let (y, inside) = BarMarks.labelPosition(barTop: 50, barBase: 200, dotYs: [52, 58, 61], size: 10, limitTop: 0)
        #expect(inside && y > 61 + BarMarks.dotRadius + 1 + 8)
    }

    @Test func reportShowsTheChartAndTable() throws {
        let root = TestSupport.temporaryDirectory("serlab-perclass-report")
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try RunFixture(name: "solo", runID: "r1").write(under: root)
        let html = try HTMLReport(runs: [try RunFolder(url: url)]).html()
        #expect(html.contains("<h3>Per-class precision, recall and F1</h3>"))
        #expect(html.contains("Precision, recall and F1 per class, pooled over folds"))
        #expect(html.contains("<table class=\"per-class\">"))
        for svg in svgElements(in: html) { #expect(XMLCheck.parse(svg).error == nil) }
    }
}
