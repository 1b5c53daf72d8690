import Foundation
import Testing
import SERCore
import SERTestSupport
@testable import SERReport
import SERResults

@Suite struct ComparisonTests {
    @Test func groupsByCorpusLabelsAndFolds() throws {
        let root = TestSupport.temporaryDirectory("serlab-compare")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let runs = try RunFolder.discover([root])
        #expect(runs.count == 5)
        let comparison = try Comparison(runs: runs)
        #expect(comparison.groups.count == 3)
        let main = try #require(comparison.groups.first { $0.rows.count == 3 })
        #expect(Set(main.rows.map(\.model)) == ["lstm", "cnn", "mlp"])
        // Best marks: the lstm fixture has the most skill.
        let best = try #require(main.rows.first)
        #expect(best.model == "lstm")
        #expect(Set(best.best) == ["accuracy", "uar", "macroF1"])
        #expect(main.rows.dropFirst().allSatisfy { $0.best.isEmpty })
        #expect(main.reference == best.run)
        // Each other run against the best, with all three tests.
        #expect(main.pairs.count == 2)
        for pair in main.pairs {
            #expect(pair.second == best.run)
            #expect(pair.wilcoxon?.sampleSize == 5)
            #expect(pair.pairedT != nil)
            let mcnemar = try #require(pair.mcnemar)
            // The fixture's better run is right on a superset of utterances: all discordant pairs favour it.
            #expect(pair.onlyFirstCorrect == 0)
            #expect((pair.onlySecondCorrect ?? 0) > 10)
            #expect(mcnemar.pValue < 0.01)
            #expect((pair.meanDifference["uar"] ?? 0) < 0)
        }
        // Rows carry the config summaries and the time from timings.json.
        #expect(best.features == "features=[mfcc,deltaMFCC],level=frame,mfccCount=40,melBandCount=128,sampleRate=16000")
        #expect(best.parameters.contains("hiddenSize=128"))
        #expect(best.timeSeconds == 93.5)
        // Single-run groups get no pairs and no best marks in output.
        for group in comparison.groups where group.rows.count == 1 { #expect(group.pairs.isEmpty && group.reference == nil) }
        let allPairs = try Comparison(runs: runs, allPairs: true)
        #expect(allPairs.groups.first { $0.rows.count == 3 }?.pairs.count == 3)
    }

    @Test func fixtureMetricsAgreeWithTheirConfusionMatrices() throws {
        let root = TestSupport.temporaryDirectory("serlab-fixture")
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try RunFixture(name: "x", runID: "r").write(under: root)
        let run = try RunFolder(url: url)
        let pooled = try #require(run.pooledConfusion)
        #expect(pooled.total == 5 * 4 * 15)
        let summed = run.foldConfusions.keys.sorted().dropFirst().reduce(run.foldConfusions[0]!) { $0 + run.foldConfusions[$1]! }
        #expect(summed == pooled)
        let recalls = pooled.recalls.compactMap { $0 }
        #expect(abs(recalls.reduce(0, +) / 4 - (run.metrics.pooled?.uar ?? -1)) < 1e-12)
        #expect(run.foldCurves.count == 5)
        #expect(try run.predictions()?.count == 300)
    }

    @Test func headToHeadOfIncompatibleRunsSaysWhy() throws {
        let root = TestSupport.temporaryDirectory("serlab-pair")
        defer { try? FileManager.default.removeItem(at: root) }
        let urls = try RunFixture.standardResults(under: root)
        let lstm = try RunFolder(url: urls[0]), cnn = try RunFolder(url: urls[1])
        let otherFolds = try RunFolder(url: urls[3]), otherLabels = try RunFolder(url: urls[4])
        #expect(throws: Never.self) { try Comparison.pair(lstm, cnn) }
        do {
            _ = try Comparison.pair(lstm, otherFolds)
            Issue.record("pairing runs on different folds must fail")
        } catch let error as ReportError {
            let message = error.errorDescription ?? ""
            #expect(message.contains("different folds"))
            #expect(message.contains("lstm_fixture/20261126-100000-42"))
        }
        do {
            _ = try Comparison.pair(lstm, otherLabels)
            Issue.record("pairing runs on different label sets must fail")
        } catch let error as ReportError {
            #expect((error.errorDescription ?? "").contains("different label sets"))
        }
    }

    @Test func formats() throws {
        let root = TestSupport.temporaryDirectory("serlab-formats")
        defer { try? FileManager.default.removeItem(at: root) }
        try RunFixture.standardResults(under: root)
        let comparison = try Comparison(runs: try RunFolder.discover([root]))
        let table = try comparison.render(.table)
        #expect(table.contains("== fixture · 4 labels"))
        #expect(table.contains("*"))
        #expect(table.contains("Wilcoxon p=0.0625, Holm p=0.125 (exact, n=5)"))
        #expect(table.contains("McNemar p<0.001, Holm p<0.001 (0 vs "))
        // Aligned: in the first group's table every cell of every data row starts where its column's title
        // starts in the header (a column start is the line start or a non-space after two spaces).
        let lines = table.components(separatedBy: "\n").map(Array.init)
        let headerIndex = try #require(lines.firstIndex { String($0).hasPrefix("run ") })
        let header = lines[headerIndex]
        let starts = header.indices.filter { $0 == 0 || ($0 >= 2 && header[$0] != " " && header[$0 - 1] == " " && header[$0 - 2] == " ") }
        #expect(starts.count == 5 + Metric.allCases.count, "\(String(header))")
        let rowCount = try #require(comparison.groups.first).rows.count
        #expect(rowCount >= 2)
        for row in lines[(headerIndex + 1)..<(headerIndex + 1 + rowCount)] {
            for start in starts {
                #expect(start < row.count && row[start] != " " && (start == 0 || row[start - 1] == " "),
                        "column at \(start) misaligned:\n\(String(header))\n\(String(row))")
            }
        }
        let markdown = try comparison.render(.markdown)
        #expect(markdown.contains("| run | model | features | params | time | WA | UAR | macro-F1 |"))
        #expect(markdown.contains("**"))
        let csv = try comparison.render(.csv)
        let parsed = try CSVTable(text: csv, path: "compare.csv")
        #expect(parsed.rows.count == 5)
        let uarBest = try parsed.column("uar_best")
        #expect(parsed.rows.filter { $0[uarBest] == "true" }.count == 1)
        let wilcoxon = try parsed.column("wilcoxonP")
        #expect(parsed.rows.filter { !$0[wilcoxon].isEmpty }.count == 2)
        let json = try comparison.render(.json)
        let decoded = try JSONDecoder().decode(Comparison.self, from: Data(json.utf8))
        #expect(decoded == comparison)
    }

    /// Two runs tested against the best: each test's p-values get Holm's adjustment over the two
    /// pairs (by hand: the smaller p doubled, the larger max(itself, the doubled smaller)), shown
    /// beside the raw ones in every format; a lone head-to-head gets none.
    @Test func holmAdjustedPValuesBesideTheRawOnes() throws {
        let root = TestSupport.temporaryDirectory("serlab-holm")
        defer { try? FileManager.default.removeItem(at: root) }
        let urls = try RunFixture.standardResults(under: root)
        let comparison = try Comparison(runs: try RunFolder.discover([root]))
        let group = try #require(comparison.groups.first { $0.rows.count == 3 })
        #expect(group.pairs.count == 2)
        for test in [\PairComparison.wilcoxon, \PairComparison.pairedT, \PairComparison.mcnemar] {
            let raw = group.pairs.map { $0[keyPath: test]!.pValue }
            let holm = group.pairs.map { $0[keyPath: test]!.holmPValue }
            let low = raw.min()!, high = raw.max()!
            let expected = raw.map { $0 == low && low != high ? min(1, 2 * low) : min(1, max(2 * low, high)) }
            #expect(holm == expected, "raw \(raw)")
        }
        #expect(group.pairs.allSatisfy { $0.wilcoxon?.holmPValue == 0.125 })
        let table = try comparison.render(.table)
        #expect(table.contains("two-sided; each raw p beside its Holm-adjusted p over the 2 comparisons of that test"))
        #expect(try comparison.render(.markdown).contains("Wilcoxon p=0.0625, Holm p=0.125"))
        let csv = try CSVTable(text: try comparison.render(.csv), path: "compare.csv")
        let holmColumn = try csv.column("wilcoxonHolmP")
        #expect(csv.rows.filter { $0[holmColumn] == "0.125" }.count == 2)
        #expect(try comparison.render(.json).contains("\"holmPValue\" : 0.125"))
        let alone = try Comparison.pair(try RunFolder(url: urls[1]), try RunFolder(url: urls[0]))
        #expect(alone.wilcoxon?.holmPValue == nil)
        #expect(!alone.text().contains("Holm"))
    }

    /// `compare --pair --format json` of two runs without fold values: the mean differences are NaN,
    /// which a plain JSONEncoder refuses; the comparison encoder writes them as "nan".
    @Test func pairWithNaNStatisticsEncodesAsJSON() throws {
        let root = TestSupport.temporaryDirectory("serlab-pair-nan")
        defer { try? FileManager.default.removeItem(at: root) }
        let urls = try RunFixture.standardResults(under: root)
        var first = try RunFolder(url: urls[0]), second = try RunFolder(url: urls[1])
        first.metrics.folds = []
        second.metrics.folds = []
        let pair = try Comparison.pair(first, second)
        #expect(pair.meanDifference["uar"]?.isNaN == true)
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(pair) }
        let json = try Comparison.json(pair)
        #expect(json.contains("\"uar\" : \"nan\""))
        #expect(json.hasSuffix("}\n"))
    }

    @Test func missingPredictionsLeaveMcNemarOutWithANote() throws {
        let root = TestSupport.temporaryDirectory("serlab-nopredictions")
        defer { try? FileManager.default.removeItem(at: root) }
        var strong = RunFixture(name: "strong", runID: "r1"); strong.skill = 0.8
        var weak = RunFixture(name: "weak", runID: "r2"); weak.skill = 0.6; weak.withPredictions = false
        try strong.write(under: root)
        try weak.write(under: root)
        let group = try #require(try Comparison(runs: RunFolder.discover([root])).groups.first)
        let pair = try #require(group.pairs.first)
        #expect(pair.mcnemar == nil)
        #expect(pair.notes.contains("McNemar: predictions.csv missing in weak/r2"))
        #expect(pair.pairedT != nil)
        #expect(Comparison.pairLine(pair).contains("[McNemar: predictions.csv missing in weak/r2]"))
    }

    /// SERCore reads the results CSV files; their errors name the file and the line a row starts on.
    @Test func badCSVFilesNameFileAndLine() throws {
        let root = TestSupport.temporaryDirectory("serlab-badcsv")
        defer { try? FileManager.default.removeItem(at: root) }
        let confusion = root.appendingPathComponent("confusion.csv")
        try "true\\predicted,a,b\na,1,2\nb,3\n".write(to: confusion, atomically: true, encoding: .utf8)
        #expect(throws: ResultsFileError.badCSV(path: confusion.path, line: 3,
                                                problem: "expected 3 fields like the header (true\\predicted,a,b), found 2")) {
            try ConfusionMatrix(contentsOf: confusion)
        }
        let curve = root.appendingPathComponent("curve.csv")
        try "epoch,trainLoss\n1,0.5\n".write(to: curve, atomically: true, encoding: .utf8)
        #expect(throws: ResultsFileError.badCSV(path: curve.path, line: 1, problem: "expected a column 'validationLoss', found columns epoch,trainLoss")) {
            try LearningCurve(contentsOf: curve)
        }
        #expect(ReportError(ResultsFileError.badCSV(path: "p", line: 3, problem: "x")) == .badCSV(path: "p", line: 3, problem: "x"))
    }

    @Test func malformedMetricsNamesFileAndPath() throws {
        let root = TestSupport.temporaryDirectory("serlab-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try RunFixture(name: "x", runID: "r").write(under: root)
        let metricsURL = url.appendingPathComponent("metrics.json")
        var text = try String(contentsOf: metricsURL, encoding: .utf8)
        let folds = try #require(text.range(of: "\"folds\": ["))
        let firstUAR = try #require(text.range(of: "\"uar\": ", range: folds.upperBound..<text.endIndex))
        text.replaceSubrange(firstUAR, with: "\"uar\": \"high\", \"x\": ")
        try text.write(to: metricsURL, atomically: true, encoding: .utf8)
        do {
            _ = try RunFolder(url: url)
            Issue.record("a string UAR must be rejected")
        } catch let error as ReportError {
            let message = error.errorDescription ?? ""
            #expect(message.contains(metricsURL.path))
            #expect(message.contains("folds[0].uar"))
        }
        #expect(throws: ReportError.self) { try RunFolder(url: root) }
    }
}
