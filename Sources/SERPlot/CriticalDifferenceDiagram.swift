import Foundation

/// A critical-difference diagram (Demšar 2006, figure 1): an axis of average ranks (1 = best, on
/// the left), each model hung from its rank by a line to its name (the better half on the left,
/// the rest on the right), a bar of length CD above the axis, and thick bars under it joining
/// models whose ranks are within CD of each other (not significantly different).
public struct CriticalDifferenceDiagram {
    public var title: String
    public var names: [String]
    public var averageRanks: [Double]
    public var criticalDifference: Double
    /// Index runs joined by a bar (e.g. `RankTests.Nemenyi.groups`).
    public var groups: [[Int]]
    public var width: Double = 640

    public init(title: String, names: [String], averageRanks: [Double], criticalDifference: Double, groups: [[Int]]) {
        precondition(names.count == averageRanks.count && names.count >= 2, "critical-difference diagram: \(names.count) names, \(averageRanks.count) ranks")
        self.title = title; self.names = names; self.averageRanks = averageRanks
        self.criticalDifference = criticalDifference; self.groups = groups
    }

    /// Rows below the axis: the bars, then one name per row on each side.
    var height: Double {
        let side = (names.count + 1) / 2
        return 78 + Double(groups.count) * 7 + Double(side) * 20 + 12
    }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, title: title)
        canvas.text(12, 17, title, size: 12.5, weight: "bold")
        let k = names.count
        // Room for the longest "name (2.50)" beside the axis.
        let longest = Double((names.map(\.count).max() ?? 0) + 7)
        let margin = min(width / 3, 30 + longest * 6.4)
        let scale = LinearScale(domain: (1, Double(k)), range: (margin, width - margin))
        let axisY = 66.0
        canvas.line(scale(1), axisY, scale(Double(k)), axisY, stroke: "#333", width: 1.2)
        for rank in 1...k {
            let x = scale(Double(rank))
            canvas.line(x, axisY - 5, x, axisY, stroke: "#333")
            canvas.text(x, axisY - 8, String(rank), size: 10, anchor: .middle)
        }
        // The CD bar, from rank 1.
        let cdEnd = scale(min(Double(k), 1 + criticalDifference))
        canvas.line(scale(1), 36, cdEnd, 36, stroke: "#c0392b", width: 2)
        canvas.line(scale(1), 32, scale(1), 40, stroke: "#c0392b", width: 1.5)
        canvas.line(cdEnd, 32, cdEnd, 40, stroke: "#c0392b", width: 1.5)
        canvas.text(cdEnd + 6, 40, String(format: "CD = %.2f", criticalDifference), size: 10.5, fill: "#c0392b")
        // Bars joining models not significantly different.
        for (index, group) in groups.enumerated() {
            let ranks = group.map { averageRanks[$0] }
            let y = axisY + 10 + Double(index) * 7
            canvas.line(scale(ranks.min()!) - 4, y, scale(ranks.max()!) + 4, y, stroke: "#222", width: 3.5)
        }
        let order = averageRanks.indices.sorted { (averageRanks[$0], $0) < (averageRanks[$1], $1) }
        let leftCount = (k + 1) / 2
        let firstRow = axisY + 16 + Double(groups.count) * 7
        for (position, index) in order.enumerated() {
            let x = scale(averageRanks[index])
            let onLeft = position < leftCount
            let row = onLeft ? position : k - 1 - position
            let y = firstRow + 10 + Double(row) * 20
            let end = onLeft ? margin - 10 : width - margin + 10
            canvas.polyline([(x, axisY), (x, y), (end, y)], stroke: "#555", width: 1)
            canvas.circle(x, axisY, radius: 2.5, fill: "#222")
            let label = "\(names[index]) (\(String(format: "%.2f", averageRanks[index])))"
            canvas.text(onLeft ? end - 4 : end + 4, y + 4, label, size: 11, anchor: onLeft ? .end : .start)
        }
        return canvas.render()
    }
}
