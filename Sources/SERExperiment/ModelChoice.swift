import Foundation
import SERClassic
import SERNet

/// The config's `model`: a SERNet network (mlp, cnn, lstm) or a SERClassic SVM. JSON: the chosen
/// type's spec with `"type"` first (`ModelSection`).
public enum ModelChoice: Sendable, Equatable {
    case network(ModelSpec)
    case svm(SVMSpec)

    /// "mlp", "cnn", "lstm" or "svm": `model.type` and metrics.json's `model`.
    public var typeName: String {
        switch self {
        case .network(let spec): spec.typeName
        case .svm: "svm"
        }
    }

    /// The network spec; nil for models that are not SERNet networks.
    public var network: ModelSpec? {
        if case .network(let spec) = self { return spec }
        return nil
    }
}

extension ModelChoice: Codable {
    private enum TypeKey: String, CodingKey { case type }

    /// `{"type": "svm", ...}` is SERClassic's `SVMSpec`, any other type SERNet's `ModelSpec` (which names the valid ones).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        if try container.decode(String.self, forKey: .type) == "svm" {
            self = .svm(try SVMSpec(from: decoder))
        } else {
            self = .network(try ModelSpec(from: decoder))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .network(let spec):
            try spec.encode(to: encoder)
        case .svm(let spec):
            var container = encoder.container(keyedBy: TypeKey.self)
            try container.encode(typeName, forKey: .type)
            try spec.encode(to: encoder)
        }
    }
}
