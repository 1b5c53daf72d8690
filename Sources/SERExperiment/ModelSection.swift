import Foundation
import SERClassic
import SERCore
import SERNet

/// The `model` section: SERNet's `ModelSpec` or SERClassic's `SVMSpec`,
/// `{"type": "mlp" | "cnn" | "lstm" | "svm", ...that type's fields}`.
/// Defaults are those of the chosen type's spec; the schema lists the union of every type's keys.
enum ModelSection {
    static let typeKey = "type"
    static let types = ["mlp", "cnn", "lstm", "svm"]

    static var defaultJSON: JSONValue { defaults(forType: "mlp")! }

    static func spec(forType type: String) -> ModelChoice? {
        switch type {
        case "mlp": return .network(.mlp(MLPSpec()))
        case "cnn": return .network(.cnn(CNNSpec()))
        case "lstm": return .network(.lstm(LSTMSpec()))
        case "svm": return .svm(SVMSpec())
        default: return nil
        }
    }

    static func defaults(forType type: String) -> JSONValue? {
        guard let spec = spec(forType: type), let encoded = try? encode(spec) else { return nil }
        return encoded
    }

    /// The spec's encoding with `type` first and optional sub-specs spelled out as null.
    static func encode(_ choice: ModelChoice) throws -> JSONValue {
        let encoded: JSONValue
        switch choice {
        case .network(let spec): encoded = try JSONValue.encoding(spec)
        case .svm(let spec): encoded = try JSONValue.encoding(spec)
        }
        var pairs = (encoded.objectPairs ?? []).filter { $0.key != typeKey }
        pairs.insert((typeKey, .string(choice.typeName)), at: 0)
        if case .network(.lstm) = choice, !pairs.contains(where: { $0.key == "frontEnd" }) { pairs.append(("frontEnd", .null)) }
        return .object(pairs)
    }

    static let help: [String: String] = [
        "type": "mlp (utterance vectors, or the mean over frames), cnn (convolutions over frames), lstm, or svm (LIBSVM kernel SVM on utterance vectors, or the mean over frames)",
        "hiddenSizes": "mlp: width of each hidden layer",
        "activation": "activation after each hidden layer or convolution: relu, tanh, sigmoid, gelu, elu",
        "dropout": "dropout probability (mlp: after each hidden layer; cnn, lstm: before the classifier and between LSTM layers)",
        "normalization": "after each hidden layer or convolution: none, batch or layer (mlp default none, cnn default batch)",
        "dimensions": "cnn: 1 = convolution over time with features as channels, 2 = over time x frequency",
        "channels": "cnn: output channels of each convolution block",
        "kernelSize": "cnn: convolution kernel size",
        "poolSize": "cnn: max-pooling window and stride after each block (1 = none)",
        "hiddenSize": "lstm: hidden units per direction",
        "layerCount": "lstm: stacked LSTM layers",
        "bidirectional": "lstm: also run backwards and concatenate",
        "pooling": "lstm: how frames become one vector: last, mean, max or attention",
        "attentionSize": "lstm: width of the attention projection (pooling attention)",
        "kernel": "svm: linear, rbf or poly",
        "cost": "svm: C values; several = a grid searched on each fold's validation part (UAR)",
        "gamma": "svm: gamma values for rbf and poly, \"scale\" (1 / (features x variance), as scikit-learn) or numbers; several = a grid",
        "degree": "svm: poly kernel degree",
        "coef0": "svm: poly kernel constant term",
        "probability": "svm: class probabilities by LIBSVM's -b 1 (else the decided class gets 1)",
        "frontEnd": "lstm: optional 1-D cnn blocks before the LSTM, e.g. {\"channels\": [64], \"kernelSize\": 5}; null = none",
    ]

    static var configType: ConfigType {
        var fields: [ConfigField] = [ConfigField(typeKey, .enumeration(types), .string("mlp"), help[typeKey]!)]
        let enumerations: [String: ConfigType] = [
            "activation": .enumeration(ActivationKind.allCases.map(\.rawValue)),
            "normalization": .enumeration(SERNet.NormalizationKind.allCases.map(\.rawValue)),
            "pooling": .enumeration(SequencePoolingKind.allCases.map(\.rawValue)),
            "frontEnd": .nullable(.any),
            "kernel": .enumeration(SVMKernel.allCases.map(\.rawValue)),
            "gamma": .array(.any),
        ]
        for type in types {
            guard case .object(let derivedFields) = ConfigType.derived(from: defaults(forType: type)!, help: help, typeName: "ModelSpec", types: enumerations) else { continue }
            for field in derivedFields where !fields.contains(where: { $0.name == field.name }) {
                fields.append(field)
            }
        }
        return .object(fields)
    }

    /// Decodes with SERNet's (or SERClassic's) strict decoder (a key of another model type is an error) and
    /// validates sizes; errors name the JSON path under `model`.
    static func spec(from model: JSONValue, source: String) throws -> ModelChoice {
        do {
            if case .string("svm")? = model[typeKey] {
                let spec = try model.decode(SVMSpec.self)
                try spec.validate(path: "model")
                return .svm(spec)
            }
            let spec = try model.decode(ModelSpec.self)
            try spec.validate()
            return .network(spec)
        } catch let error as DecodingError {
            throw ConfigLoader.describe(error, source: source, tree: model, prefix: "model")
        } catch {
            throw ConfigError.invalid(source: source, section: "model", message: error.localizedDescription)
        }
    }
}
