import Foundation

extension HTMLReport {
    /// A figure of the report as its own file.
    public struct Figure: Equatable, Sendable {
        /// `<section id>-<nn>-<title slug>.svg`, e.g. `run-1-03-recall-per-class-pooled-over-folds.svg`.
        public var fileName: String
        /// A standalone SVG document: an XML declaration, then the `<svg>` element as the page has it.
        public var svg: String
    }

    /// Every `<svg>` of a report page in page order, named by the section it is in (`comparison`,
    /// `across-corpora`, `corpus-<name>`, `run-<n>`), its number there and its title.
    public static func figures(in html: String) -> [Figure] {
        var figures: [Figure] = []
        var section = "report"
        var counts: [String: Int] = [:]
        var rest = html[...]
        while let start = rest.range(of: "<svg ") {
            if let sectionStart = rest[..<start.lowerBound].range(of: "<section id=\"", options: .backwards) {
                section = String(rest[sectionStart.upperBound...].prefix { $0 != "\"" })
            }
            guard let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) else { break }
            let element = String(rest[start.lowerBound..<end.upperBound])
            counts[section, default: 0] += 1
            var name = "\(section)-\(String(format: "%02d", counts[section]!))"
            if let titleStart = element.range(of: "<title>"), let titleEnd = element.range(of: "</title>", range: titleStart.upperBound..<element.endIndex) {
                let slug = slugged(unescaped(String(element[titleStart.upperBound..<titleEnd.lowerBound])))
                if !slug.isEmpty { name += "-" + slug }
            }
            figures.append(Figure(fileName: name + ".svg", svg: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element + "\n"))
            rest = rest[end.upperBound...]
        }
        return figures
    }

    /// Lower-case letters and digits, other runs as one dash, at most 60 characters.
    static func slugged(_ text: String) -> String {
        var slug = ""
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) { slug.append(character) } else if !slug.hasSuffix("-") { slug.append("-") }
        }
        return String(slug.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(60)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
