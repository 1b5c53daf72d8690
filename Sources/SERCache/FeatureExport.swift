import Foundation
import SERCore
import SERFeatures
import SERHDF5

/// Whose features an exported row or matrix holds.
public struct UtteranceInfo: Sendable, Equatable {
    /// Path relative to the corpus root, with extension (as folds files and predictions.csv give it).
    public var path: String
    public var corpus: String
    public var speaker: String
    public var label: String

    public init(path: String, corpus: String, speaker: String, label: String) {
        self.path = path
        self.corpus = corpus
        self.speaker = speaker
        self.label = label
    }
}

/// Why an export could not be written or read back. Every case names the file.
public enum FeatureExportError: LocalizedError, Equatable {
    case cannotWrite(path: String, reason: String)
    /// A frames file whose layout is not the one `FrameMatricesFile.write` makes.
    case unexpectedLayout(path: String, object: String, expected: String, found: String)

    public var errorDescription: String? {
        switch self {
        case let .cannotWrite(path, reason):
            return "\(path): cannot write the feature export: \(reason)"
        case let .unexpectedLayout(path, object, expected, found):
            return "\(path): \(object): expected \(expected), found \(found)"
        }
    }
}

/// `serlab features CONFIG --output table.csv`: one row per utterance, `path,corpus,speaker,label`, then
/// the utterance-level feature columns (names: `FeatureSpec.utteranceLevel`, docs/features.md). Values are
/// float32 in Swift's shortest round-trip form, as `serlab features FILE` prints them.
public enum FeatureTableFile {
    public static let metadataColumns = ["path", "corpus", "speaker", "label"]

    /// The CSV text; every row (one-row matrix, see `Functionals.utteranceRow`) has the same columns.
    public static func text(_ utterances: [UtteranceInfo], rows: [FeatureMatrix]) -> String {
        precondition(utterances.count == rows.count, "\(utterances.count) utterances for \(rows.count) rows")
        let columns = rows.first?.columnNames ?? []
        var text = CSV.line(metadataColumns + columns) + "\n"
        for (utterance, row) in zip(utterances, rows) {
            precondition(row.frameCount == 1 && row.columnNames == columns, "\(utterance.path): not a table row of the same columns")
            text += CSV.line([utterance.path, utterance.corpus, utterance.speaker, utterance.label])
            text += "," + row.values.map { "\($0)" }.joined(separator: ",") + "\n"
        }
        return text
    }

    public static func write(_ utterances: [UtteranceInfo], rows: [FeatureMatrix], to url: URL) throws {
        do {
            try text(utterances, rows: rows).write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw FeatureExportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}

/// `serlab features CONFIG --output frames.h5`: the frame-level matrix of every utterance in one plain
/// HDF5 file (h5py and pandas read it; layout in docs/features.md):
/// - `column_names`: the column names, once (variable-length UTF-8 strings);
/// - `utterances/000000`, `utterances/000001`, ...: float32 [frames, columns], in dataset order, each with
///   the attributes `path`, `corpus`, `speaker`, `label` (strings), `sample_rate` and `hop_length` (int64);
/// - root attributes: `spec_json`, `spec_hash`, `feature_code_version`, `serlab_version`, `utterance_count`.
public enum FrameMatricesFile {
    /// The dataset name of the `index`-th utterance (zero-padded, so names sort in dataset order).
    public static func datasetName(_ index: Int) -> String { "utterances/" + String(format: "%06d", index) }

    /// Writes to a temporary file beside `url` and renames it into place: a failed export leaves no half file.
    public static func write(_ utterances: [UtteranceInfo], matrices: [FeatureMatrix], spec: FeatureSpec, to url: URL) throws {
        precondition(utterances.count == matrices.count, "\(utterances.count) utterances for \(matrices.count) matrices")
        precondition(spec.level == .frame, "a frames file holds frame-level matrices")
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let file = try HDF5File.create(temporary)
        let root = try file.root
        try root.createStringDataset("column_names", strings: matrices.first?.columnNames ?? [])
        _ = try root.createGroup("utterances")
        for (index, (utterance, matrix)) in zip(utterances, matrices).enumerated() {
            let dataset = try root.createDataset(datasetName(index), values: matrix.values, shape: [matrix.frameCount, matrix.columnCount])
            try dataset.setAttribute("path", utterance.path)
            try dataset.setAttribute("corpus", utterance.corpus)
            try dataset.setAttribute("speaker", utterance.speaker)
            try dataset.setAttribute("label", utterance.label)
            try dataset.setAttribute("sample_rate", Int64(spec.sampleRate))
            try dataset.setAttribute("hop_length", Int64(spec.hopLength))
        }
        try root.setAttribute("spec_json", String(decoding: try encoder.encode(spec), as: UTF8.self))
        try root.setAttribute("spec_hash", spec.stableHash)
        try root.setAttribute("feature_code_version", Int64(featureCodeVersion))
        try root.setAttribute("serlab_version", serlabVersion)
        try root.setAttribute("utterance_count", Int64(utterances.count))
        try file.close()
        do {
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            throw FeatureExportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads a file written by `write`, in dataset order.
    public static func read(_ url: URL) throws -> [(utterance: UtteranceInfo, matrix: FeatureMatrix)] {
        let root = try HDF5File.open(url).root
        let names = try root.openDataset("column_names").readStrings()
        let count = Int(try root.attribute("utterance_count", as: Int64.self))
        return try (0..<count).map { index in
            let name = datasetName(index)
            guard root.exists(name) else {
                throw FeatureExportError.unexpectedLayout(path: url.path, object: "/\(name)", expected: "\(count) utterance datasets", found: "none of this name")
            }
            let dataset = try root.openDataset(name)
            let shape = try dataset.shape
            guard shape.count == 2, shape[1] == names.count else {
                throw FeatureExportError.unexpectedLayout(path: url.path, object: "/\(name)", expected: "shape [frames, \(names.count)]", found: "\(shape)")
            }
            let utterance = UtteranceInfo(path: try dataset.stringAttribute("path"), corpus: try dataset.stringAttribute("corpus"),
                                          speaker: try dataset.stringAttribute("speaker"), label: try dataset.stringAttribute("label"))
            return (utterance, FeatureMatrix(frameCount: shape[0], columnNames: names, values: try dataset.read(Float.self)))
        }
    }
}
