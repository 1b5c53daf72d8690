import Foundation

/// Which network to build, from a JSON config. The object carries `"type"` ("mlp", "cnn", "lstm") and
/// that type's fields; absent fields take the defaults shown, unknown fields are an error:
///
///     {"type": "lstm", "hiddenSize": 128, "layerCount": 2, "pooling": "attention"}
///     {"type": "cnn", "dimensions": 1, "channels": [64, 128, 256], "kernelSize": 5}
///     {"type": "mlp", "hiddenSizes": [256, 128]}
public enum ModelSpec: Codable, Sendable, Equatable {
    case mlp(MLPSpec)
    case cnn(CNNSpec)
    case lstm(LSTMSpec)

    public var typeName: String {
        switch self {
        case .mlp: "mlp"
        case .cnn: "cnn"
        case .lstm: "lstm"
        }
    }

    private enum TypeKey: String, CodingKey { case type }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "mlp": self = .mlp(try MLPSpec(from: decoder))
        case "cnn": self = .cnn(try CNNSpec(from: decoder))
        case "lstm": self = .lstm(try LSTMSpec(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container,
                debugDescription: "unknown model type '\(type)'; expected one of: mlp, cnn, lstm")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(typeName, forKey: .type)
        switch self {
        case .mlp(let spec): try spec.encode(to: encoder)
        case .cnn(let spec): try spec.encode(to: encoder)
        case .lstm(let spec): try spec.encode(to: encoder)
        }
    }

    /// Checks sizes and rates; the error names the JSON field, what was expected and what was found.
    public func validate() throws {
        switch self {
        case .mlp(let spec): try spec.validate(path: "model")
        case .cnn(let spec): try spec.validate(path: "model")
        case .lstm(let spec): try spec.validate(path: "model")
        }
    }

    /// Trainable parameters of this spec for a given input size and class count (running statistics excluded).
    public func parameterCount(inputSize: Int, classCount: Int) throws -> Int {
        try Model(spec: self, inputSize: inputSize, classCount: classCount, seed: 0).parameterCount
    }
}

/// Normalisation after each hidden layer or convolution. JSON: "none", "batch", "layer".
public enum NormalizationKind: String, Codable, Sendable, CaseIterable {
    case none, batch, layer
}

/// A bad model spec: where, what was expected, what was found.
public struct ModelSpecError: LocalizedError, Equatable {
    public let path: String
    public let expected: String
    public let found: String
    public var errorDescription: String? { "\(path): expected \(expected), found \(found)" }
}

/// Multi-layer perceptron on `[N, F]` vectors (utterance-level features). Given `[N, T, F]` sequences it
/// first takes the masked mean over frames.
public struct MLPSpec: Codable, Sendable, Equatable {
    /// Width of each hidden layer.
    public var hiddenSizes: [Int] = [256, 128]
    public var activation: ActivationKind = .relu
    /// Dropout after each hidden layer.
    public var dropout: Float = 0.3
    public var normalization: NormalizationKind = .none

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable { case hiddenSizes, activation, dropout, normalization }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue) + ["type"], in: "MLPSpec")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSizes = try c.value(.hiddenSizes, default: hiddenSizes)
        activation = try c.value(.activation, default: activation)
        dropout = try c.value(.dropout, default: dropout)
        normalization = try c.value(.normalization, default: normalization)
    }

    func validate(path: String) throws {
        if let bad = hiddenSizes.first(where: { $0 < 1 }) {
            throw ModelSpecError(path: "\(path).hiddenSizes", expected: "sizes >= 1", found: "\(bad)")
        }
        try validateDropout(dropout, path: "\(path).dropout")
    }
}

/// Convolutional network: blocks of convolution, normalisation, activation and max pooling, then a masked
/// global average over time (and frequency), dropout and a dense classifier.
/// `dimensions` 1: Conv1D over time with the features as channels, input `[N, T, F]`.
/// `dimensions` 2: Conv2D over time x frequency (one input channel), square kernel and pool.
public struct CNNSpec: Codable, Sendable, Equatable {
    public var dimensions: Int = 1
    /// Output channels of each block.
    public var channels: [Int] = [64, 128, 256]
    public var kernelSize: Int = 5
    /// Max-pooling window and stride (time, and frequency for 2-D); 1 disables pooling.
    public var poolSize: Int = 2
    public var normalization: NormalizationKind = .batch
    public var activation: ActivationKind = .relu
    /// Dropout before the classifier.
    public var dropout: Float = 0.3

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case dimensions, channels, kernelSize, poolSize, normalization, activation, dropout
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue) + ["type"], in: "CNNSpec")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dimensions = try c.value(.dimensions, default: dimensions)
        channels = try c.value(.channels, default: channels)
        kernelSize = try c.value(.kernelSize, default: kernelSize)
        poolSize = try c.value(.poolSize, default: poolSize)
        normalization = try c.value(.normalization, default: normalization)
        activation = try c.value(.activation, default: activation)
        dropout = try c.value(.dropout, default: dropout)
    }

    func validate(path: String) throws {
        guard dimensions == 1 || dimensions == 2 else {
            throw ModelSpecError(path: "\(path).dimensions", expected: "1 or 2", found: "\(dimensions)")
        }
        if channels.isEmpty { throw ModelSpecError(path: "\(path).channels", expected: "at least one block", found: "[]") }
        if let bad = channels.first(where: { $0 < 1 }) {
            throw ModelSpecError(path: "\(path).channels", expected: "channel counts >= 1", found: "\(bad)")
        }
        guard kernelSize >= 1 else { throw ModelSpecError(path: "\(path).kernelSize", expected: ">= 1", found: "\(kernelSize)") }
        guard poolSize >= 1 else { throw ModelSpecError(path: "\(path).poolSize", expected: ">= 1", found: "\(poolSize)") }
        try validateDropout(dropout, path: "\(path).dropout")
    }
}

/// Stacked LSTM over variable-length sequences, optionally bidirectional, optionally after a 1-D CNN front
/// end (its blocks only: no global pooling), then pooling to one vector, dropout and a dense classifier.
public struct LSTMSpec: Codable, Sendable, Equatable {
    public var hiddenSize: Int = 128
    public var layerCount: Int = 2
    public var bidirectional: Bool = false
    public var pooling: SequencePoolingKind = .last
    /// Width of the attention projection (pooling "attention").
    public var attentionSize: Int = 64
    /// Dropout between LSTM layers and before the classifier.
    public var dropout: Float = 0.3
    /// Convolution blocks before the LSTM (`dimensions` must be 1; its `dropout` is unused).
    public var frontEnd: CNNSpec? = nil

    public init() {}

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case hiddenSize, layerCount, bidirectional, pooling, attentionSize, dropout, frontEnd
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue) + ["type"], in: "LSTMSpec")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hiddenSize = try c.value(.hiddenSize, default: hiddenSize)
        layerCount = try c.value(.layerCount, default: layerCount)
        bidirectional = try c.value(.bidirectional, default: bidirectional)
        pooling = try c.value(.pooling, default: pooling)
        attentionSize = try c.value(.attentionSize, default: attentionSize)
        dropout = try c.value(.dropout, default: dropout)
        frontEnd = try c.decodeIfPresent(CNNSpec.self, forKey: .frontEnd)
    }

    func validate(path: String) throws {
        guard hiddenSize >= 1 else { throw ModelSpecError(path: "\(path).hiddenSize", expected: ">= 1", found: "\(hiddenSize)") }
        guard layerCount >= 1 else { throw ModelSpecError(path: "\(path).layerCount", expected: ">= 1", found: "\(layerCount)") }
        guard attentionSize >= 1 else { throw ModelSpecError(path: "\(path).attentionSize", expected: ">= 1", found: "\(attentionSize)") }
        try validateDropout(dropout, path: "\(path).dropout")
        if let frontEnd {
            try frontEnd.validate(path: "\(path).frontEnd")
            guard frontEnd.dimensions == 1 else {
                throw ModelSpecError(path: "\(path).frontEnd.dimensions", expected: "1 (a 1-D front end)", found: "\(frontEnd.dimensions)")
            }
        }
    }
}

private func validateDropout(_ rate: Float, path: String) throws {
    guard rate >= 0 && rate < 1 else { throw ModelSpecError(path: path, expected: "a rate in [0, 1)", found: "\(rate)") }
}
