import Foundation
import SERCore
import SERHDF5

/// Why a checkpoint could not be saved or loaded. Every case names the file.
public enum CheckpointError: LocalizedError, Equatable {
    /// Missing, not HDF5, truncated or unreadable (the HDF5 error says where).
    case unreadable(path: String, reason: String)
    /// An HDF5 file, but not a serlab checkpoint, or one missing a required part.
    case notACheckpoint(path: String, reason: String)
    case unsupportedFormat(path: String, found: Int)
    /// The checkpoint's model spec differs from the one the caller expects.
    case specMismatch(path: String, expected: String, found: String)
    case inputSizeMismatch(path: String, expected: Int, found: Int)
    case classCountMismatch(path: String, expected: Int, found: Int)
    /// A stored array has the wrong shape for the spec (weights from another model).
    case parameterMismatch(path: String, parameter: String, expected: [Int], found: [Int])
    /// The stored weights do not hash to the stored checksum (corrupted data).
    case checksumMismatch(path: String, expected: String, found: String)
    case writeFailed(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): expected a serlab checkpoint (HDF5), could not read it: \(reason)"
        case .notACheckpoint(let path, let reason):
            return "\(path): not a serlab checkpoint: \(reason)"
        case .unsupportedFormat(let path, let found):
            return "\(path): expected checkpoint format version \(Checkpoint.formatVersion), found \(found)"
        case .specMismatch(let path, let expected, let found):
            return "\(path): checkpoint holds a different model: expected spec \(expected), found \(found)"
        case .inputSizeMismatch(let path, let expected, let found):
            return "\(path): expected a model for \(expected) input features, the checkpoint takes \(found)"
        case .classCountMismatch(let path, let expected, let found):
            return "\(path): expected a model for \(expected) classes, the checkpoint has \(found)"
        case .parameterMismatch(let path, let parameter, let expected, let found):
            return "\(path): parameter '\(parameter)' should have shape \(expected) for the stored spec, found \(found)"
        case .checksumMismatch(let path, let expected, let found):
            return "\(path): weights are corrupt: stored SHA-256 \(expected), computed \(found)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write the checkpoint: \(reason)"
        }
    }
}

/// Model checkpoints in HDF5 (layout in docs/checkpoints.md): spec as JSON, every parameter and running
/// statistic as a float32 dataset under /parameters, input normalisation, label names, serlab version,
/// and a SHA-256 of the weights (HDF5 itself does not checksum raw data).
public enum Checkpoint {
    public static let formatName = "serlab-checkpoint"
    public static let formatVersion = 1

    /// Writes `model` to `url` atomically as a sealed HDF5 file (`HDF5File.writeSealed`: temporary file,
    /// SHA-256 trailer, fsync, rename), replacing any file there; readers never see a partial checkpoint.
    public static func save(_ model: Model, to url: URL) throws {
        let path = url.path
        do {
            try HDF5File.writeSealed(to: url) { root in
                try write(model, into: root)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    /// Writes `model` into `root` (a file's root group, or any group: a model bundle keeps one
    /// checkpoint per member in its own group). The layout is docs/checkpoints.md's, relative to `root`.
    public static func write(_ model: Model, into root: HDF5Group) throws {
        let specJSON = try canonicalJSON(model.spec)
        try root.setAttribute("format", formatName)
        try root.setAttribute("format_version", Int64(formatVersion))
        try root.setAttribute("serlab_version", serlabVersion)
        try root.setAttribute("model_type", model.spec.typeName)
        try root.setAttribute("spec", specJSON)
        try root.setAttribute("input_size", Int64(model.inputSize))
        try root.setAttribute("class_count", Int64(model.classCount))
        try root.setAttribute("seed", Int64(bitPattern: model.seed))
        _ = try root.createStringDataset("labels", strings: model.labels)
        if let normalization = model.inputNormalization {
            _ = try root.createDataset("input_normalization/mean", values: normalization.mean, shape: [normalization.mean.count])
            _ = try root.createDataset("input_normalization/standard_deviation", values: normalization.standardDeviation,
                                       shape: [normalization.standardDeviation.count])
        }
        let parameters = model.parameters
        let group = try root.createGroup("parameters")
        try group.setAttribute("order", parameters.map(\.name))
        for parameter in parameters {
            let dataset = try group.createDataset(parameter.name, values: parameter.value, shape: parameter.shape)
            try dataset.setAttribute("trainable", Int32(parameter.isTrainable ? 1 : 0))
        }
        try group.setAttribute("sha256", weightsDigest(parameters.map(\.value)))
    }

    /// Reads a checkpoint into a new model. The file's seal is verified first and HDF5 opens the verified
    /// bytes from memory, so a truncated, bit-flipped or unsealed file is `.unreadable`, never a crash. When `expectedSpec`, `expectedInputSize` or `expectedClassCount`
    /// is given and differs from the file, throws the matching `CheckpointError`.
    public static func load(from url: URL, expectedSpec: ModelSpec? = nil, expectedInputSize: Int? = nil,
                            expectedClassCount: Int? = nil) throws -> Model {
        try HDF5File.readSealed(url, unreadable: { CheckpointError.unreadable(path: url.path, reason: $0.localizedDescription) }) { root in
            try read(from: root, path: url.path, expectedSpec: expectedSpec, expectedInputSize: expectedInputSize,
                     expectedClassCount: expectedClassCount)
        }
    }

    /// Reads the checkpoint `write(_:into:)` stored in `root` into a new model; `path` names it in errors
    /// (e.g. `"model.serlab, group /members/0"`). Verifies the format, shapes and the weights' SHA-256.
    public static func read(from root: HDF5Group, path: String, expectedSpec: ModelSpec? = nil, expectedInputSize: Int? = nil,
                            expectedClassCount: Int? = nil) throws -> Model {
        func required<T>(_ what: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as CheckpointError { throw error } catch {
                throw CheckpointError.notACheckpoint(path: path, reason: "\(what): \(error.localizedDescription)")
            }
        }
        let format = try required("attribute 'format'") { try root.stringAttribute("format") }
        guard format == formatName else {
            throw CheckpointError.notACheckpoint(path: path, reason: "attribute 'format' is '\(format)', expected '\(formatName)'")
        }
        let version = try required("attribute 'format_version'") { try root.attribute("format_version", as: Int64.self) }
        guard version == Int64(formatVersion) else { throw CheckpointError.unsupportedFormat(path: path, found: Int(version)) }
        let specJSON = try required("attribute 'spec'") { try root.stringAttribute("spec") }
        let spec: ModelSpec
        do {
            spec = try JSONDecoder().decode(ModelSpec.self, from: Data(specJSON.utf8))
        } catch {
            throw CheckpointError.notACheckpoint(path: path, reason: "attribute 'spec' is not a valid model spec: \(error)")
        }
        if let expectedSpec, expectedSpec != spec {
            throw CheckpointError.specMismatch(path: path, expected: (try? canonicalJSON(expectedSpec)) ?? "\(expectedSpec)", found: specJSON)
        }
        let inputSize = Int(try required("attribute 'input_size'") { try root.attribute("input_size", as: Int64.self) })
        let classCount = Int(try required("attribute 'class_count'") { try root.attribute("class_count", as: Int64.self) })
        let seed = UInt64(bitPattern: try required("attribute 'seed'") { try root.attribute("seed", as: Int64.self) })
        if let expectedInputSize, expectedInputSize != inputSize {
            throw CheckpointError.inputSizeMismatch(path: path, expected: expectedInputSize, found: inputSize)
        }
        if let expectedClassCount, expectedClassCount != classCount {
            throw CheckpointError.classCountMismatch(path: path, expected: expectedClassCount, found: classCount)
        }
        let model: Model
        do {
            model = try Model(spec: spec, inputSize: inputSize, classCount: classCount, seed: seed)
        } catch {
            throw CheckpointError.notACheckpoint(path: path, reason: "stored spec cannot be built: \(error.localizedDescription)")
        }
        let labels = try required("dataset 'labels'") { try root.openDataset("labels").readStrings() }
        guard labels.count == classCount else {
            throw CheckpointError.notACheckpoint(path: path, reason: "\(labels.count) labels for \(classCount) classes")
        }
        model.labels = labels
        if root.exists("input_normalization") {
            let mean: [Float] = try required("input_normalization/mean") { try root.openDataset("input_normalization/mean").read() }
            let deviation: [Float] = try required("input_normalization/standard_deviation") {
                try root.openDataset("input_normalization/standard_deviation").read()
            }
            guard mean.count == inputSize, deviation.count == inputSize else {
                throw CheckpointError.notACheckpoint(path: path, reason: "input normalisation has \(mean.count)/\(deviation.count) values for \(inputSize) features")
            }
            model.inputNormalization = InputNormalization(mean: mean, standardDeviation: deviation)
        }
        let group = try required("group 'parameters'") { try root.openGroup("parameters") }
        var values: [[Float]] = []
        for parameter in model.parameters {
            let dataset = try required("parameter '\(parameter.name)'") { try group.openDataset(parameter.name) }
            let shape = try required("parameter '\(parameter.name)'") { try dataset.shape }
            guard shape == parameter.shape else {
                throw CheckpointError.parameterMismatch(path: path, parameter: parameter.name, expected: parameter.shape, found: shape)
            }
            values.append(try required("parameter '\(parameter.name)'") { try dataset.read(Float.self) })
        }
        let storedDigest = try required("attribute 'parameters/sha256'") { try group.stringAttribute("sha256") }
        let digest = weightsDigest(values)
        guard digest == storedDigest else {
            throw CheckpointError.checksumMismatch(path: path, expected: storedDigest, found: digest)
        }
        for (parameter, value) in zip(model.parameters, values) { parameter.value = value }
        return model
    }

    /// SHA-256 over the little-endian float32 bytes of every parameter, in order.
    static func weightsDigest(_ values: [[Float]]) -> String {
        var hasher = SHA256()
        for array in values {
            array.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().hexString
    }

    static func canonicalJSON(_ spec: ModelSpec) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(spec), as: UTF8.self)
    }
}

extension Model {
    /// Saves this model as an HDF5 checkpoint (see `Checkpoint`).
    public func save(to url: URL) throws { try Checkpoint.save(self, to: url) }

    /// Loads a checkpoint; see `Checkpoint.load(from:expectedSpec:expectedInputSize:expectedClassCount:)`.
    public static func load(from url: URL, expectedSpec: ModelSpec? = nil, expectedInputSize: Int? = nil,
                            expectedClassCount: Int? = nil) throws -> Model {
        try Checkpoint.load(from: url, expectedSpec: expectedSpec, expectedInputSize: expectedInputSize,
                            expectedClassCount: expectedClassCount)
    }
}
