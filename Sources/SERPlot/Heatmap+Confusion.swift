import Foundation

/// Confusion matrices as heatmaps, `counts[true][predicted]` over `labels`: the report's pooled and
/// per-fold plots and the run folder's confusion.svg are all drawn here.
extension Heatmap {
    /// Counts, colour by count.
    public static func confusionCounts(labels: [String], counts: [[Int]], title: String) -> Heatmap {
        var heatmap = Heatmap(title: title, values: counts.map { $0.map(Double.init) }, axes: .labelled(rows: labels, columns: labels),
                              xLabel: "predicted", yLabel: "true", colorBarLabel: "utterances")
        heatmap.colorMap = .blues
        heatmap.domain = (0, Double(max(1, counts.flatMap { $0 }.max() ?? 1)))
        heatmap.cellText = counts.map { $0.map(String.init) }
        heatmap.cellTooltips = confusionTooltips(labels: labels, counts: counts)
        heatmap.sizeForConfusion(labels: labels, small: false)
        return heatmap
    }

    /// Row-normalised on [0, 1] (the share of the true class, recall on the diagonal), percent with
    /// the count beneath in each cell (`small`: per-fold size; the count moves to the tooltip when
    /// cells are under 40 px, and empty cells stay blank so the errors stand out).
    public static func confusionShares(labels: [String], counts: [[Int]], title: String, small: Bool = false) -> Heatmap {
        let shares = rowShares(counts)
        var heatmap = Heatmap(title: title, values: shares, axes: .labelled(rows: labels, columns: labels),
                              xLabel: "predicted", yLabel: "true", colorBarLabel: "share of the true class")
        heatmap.colorMap = .blues
        heatmap.domain = (0, 1)
        heatmap.colorBarFormat = .percent
        let roomy = heatmap.sizeForConfusion(labels: labels, small: small) >= 40
        heatmap.cellText = zip(shares, counts).map {
            zip($0, $1).map { share, count in
                small && count == 0 ? "" : String(format: "%.0f%%", share * 100) + (roomy ? "\n(\(count))" : "")
            }
        }
        heatmap.cellTooltips = confusionTooltips(labels: labels, counts: counts)
        return heatmap
    }

    /// Each row divided by its sum (a row with no utterances stays all zero).
    static func rowShares(_ counts: [[Int]]) -> [[Double]] {
        counts.map { row in
            let sum = row.reduce(0, +)
            return row.map { sum == 0 ? 0 : Double($0) / Double(sum) }
        }
    }

    /// Square cells sized by the number of classes: about 340 px of cells for a full-size matrix (two
    /// fit side by side in the report), 300 px for the per-fold small multiples, never below 30 px a
    /// cell. Returns the cell size.
    @discardableResult
    mutating func sizeForConfusion(labels: [String], small: Bool) -> Double {
        let cell = small ? max(30, min(48, 300 / Double(max(1, labels.count)))) : max(40, min(72, 340 / Double(max(1, labels.count))))
        let size = Heatmap.labelledSize(rows: labels, columns: labels, cellSize: cell)
        width = size.width
        height = size.height
        return cell
    }

    static func confusionTooltips(labels: [String], counts: [[Int]]) -> [[String]] {
        let shares = rowShares(counts)
        return labels.indices.map { row in
            labels.indices.map { column in
                "true \(labels[row]), predicted \(labels[column]): \(counts[row][column]) (\(String(format: "%.1f", shares[row][column] * 100))% of \(labels[row]))"
            }
        }
    }
}
