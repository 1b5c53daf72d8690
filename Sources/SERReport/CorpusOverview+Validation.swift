import Foundation
import SERResults

extension CorpusOverview {
    /// Checks the shapes the plots rely on; the message names the JSON path.
    public func validate(path: String) throws {
        for (index, example) in examples.enumerated() {
            let at = "examples[\(index)]"
            if example.waveformMinimum.count != example.waveformMaximum.count {
                throw ReportError.unreadableJSON(path: path, jsonPath: "\(at).waveformMaximum",
                                                 problem: "expected \(example.waveformMinimum.count) values like waveformMinimum, found \(example.waveformMaximum.count)")
            }
            for (name, matrix) in [("spectrogramDB", example.spectrogramDB), ("mfcc", example.mfcc)] {
                if let first = matrix.first, let bad = matrix.firstIndex(where: { $0.count != first.count }) {
                    throw ReportError.unreadableJSON(path: path, jsonPath: "\(at).\(name)[\(bad)]",
                                                     problem: "expected \(first.count) frames like row 0, found \(matrix[bad].count)")
                }
            }
        }
    }
}
