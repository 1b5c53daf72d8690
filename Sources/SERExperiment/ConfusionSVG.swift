import Foundation

/// A row-normalised confusion matrix as a self-contained SVG: colour = share of the true class,
/// text = count (and percentage).
public enum ConfusionSVG {
    public static func render(_ confusion: [[Int]], labels: [String], title: String) -> String {
        let cell = 56, margin = 110, top = 60
        let size = labels.count * cell
        let width = margin + size + 20, height = top + size + margin
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="Helvetica, Arial, sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(margin)" y="20" font-size="13" font-weight="bold">\(escape(title))</text>
        <text x="\(margin)" y="38" fill="#555">rows: true label, columns: predicted; colour = row share, text = count</text>

        """
        for (row, counts) in confusion.enumerated() {
            let total = max(counts.reduce(0, +), 1)
            for (column, count) in counts.enumerated() {
                let share = Double(count) / Double(total)
                let shade = Int(255 - share * 200)
                let x = margin + column * cell, y = top + row * cell
                let textColor = share > 0.55 ? "white" : "black"
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#ddd\"/>\n"
                svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 - 2)\" text-anchor=\"middle\" fill=\"\(textColor)\">\(count)</text>\n"
                svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 12)\" text-anchor=\"middle\" font-size=\"9\" fill=\"\(textColor)\">\(String(format: "%.0f%%", share * 100))</text>\n"
            }
            svg += "<text x=\"\(margin - 6)\" y=\"\(top + row * cell + cell / 2 + 4)\" text-anchor=\"end\">\(escape(labels[row]))</text>\n"
        }
        for (column, label) in labels.enumerated() {
            let x = margin + column * cell + cell / 2, y = top + size + 10
            svg += "<text x=\"\(x)\" y=\"\(y)\" text-anchor=\"end\" transform=\"rotate(-45 \(x) \(y))\">\(escape(label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
