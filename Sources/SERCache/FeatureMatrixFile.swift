import Foundation
import SERCore
import SERFeatures
import SERHDF5

/// One feature matrix in its own HDF5 file (`serlab features <file> --output x.h5`), for comparing
/// serlab's numbers with another tool: `features` [frames, columns] float32, `column_names`, and the
/// spec, its hash, the feature code and serlab versions as root attributes.
public enum FeatureMatrixFile {
    public static func write(_ matrix: FeatureMatrix, spec: FeatureSpec, source: URL, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let file = try HDF5File.create(url)
        let root = try file.root
        try root.createDataset("features", values: matrix.values, shape: [matrix.frameCount, matrix.columnCount])
        try root.createStringDataset("column_names", strings: matrix.columnNames)
        try root.setAttribute("source", source.standardizedFileURL.path)
        try root.setAttribute("spec_json", String(decoding: try encoder.encode(spec), as: UTF8.self))
        try root.setAttribute("spec_hash", spec.stableHash)
        try root.setAttribute("feature_code_version", Int64(featureCodeVersion))
        try root.setAttribute("serlab_version", serlabVersion)
        try file.close()
    }

    /// Reads a file written by `write`.
    public static func read(_ url: URL) throws -> FeatureMatrix {
        let root = try HDF5File.open(url).root
        let dataset = try root.openDataset("features")
        let shape = try dataset.shape
        let names = try root.openDataset("column_names").readStrings()
        guard shape.count == 2, shape[1] == names.count else {
            throw HDF5Error(.shapeMismatch, file: url.path, object: "/features",
                            message: "expected shape [frames, \(names.count)], found \(shape)")
        }
        return FeatureMatrix(frameCount: shape[0], columnNames: names, values: try dataset.read(Float.self))
    }
}
