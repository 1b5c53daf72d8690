import Foundation
import SERCore
import SERNet

/// The `training` section: SERNet's `TrainingOptions` (its defaults), explained here.
/// `seed` is the experiment seed: folds, initialisation, shuffling and the bootstrap derive streams from it.
enum TrainingSection {
    static var defaultJSON: JSONValue { (try? JSONValue.encoding(TrainingOptions())) ?? .object([]) }

    static let help: [String: String] = [
        "epochs": "maximum passes over the training part",
        "batchSize": "utterances per gradient step",
        "optimizer": "adam, adamW (decoupled weight decay) or sgd",
        "momentum": "sgd momentum",
        "learningRate": "initial learning rate",
        "weightDecay": "L2 penalty (sgd, adam) or decoupled decay (adamW)",
        "schedule": "learning-rate schedule",
        "schedule.kind": "constant, step (x gamma every stepSize epochs), cosine (to minimumLearningRate), reduceOnPlateau (x factor after plateauPatience epochs without better validation UAR)",
        "schedule.stepSize": "step: epochs between decays",
        "schedule.gamma": "step: decay factor",
        "schedule.minimumLearningRate": "cosine and reduceOnPlateau: floor of the learning rate",
        "schedule.factor": "reduceOnPlateau: decay factor",
        "schedule.plateauPatience": "reduceOnPlateau: epochs without improvement before a decay",
        "clipNorm": "clip the global gradient norm to this; null = no clipping",
        "patience": "early stopping: stop after this many epochs without a better validation UAR (the best epoch is kept); null = never",
        "classWeighting": "none, or balanced (loss weighted by inverse class frequency of the training part)",
        "labelSmoothing": "label smoothing of the cross-entropy target, in [0, 1)",
        "threads": "threads for feature extraction and training (1 = bit-reproducible training)",
        "seed": "the experiment seed: folds, initialisation, shuffling, dropout and the bootstrap use streams derived from it",
        "ensemble": "networks trained per fold from their own seeds (streams derived per member), class probabilities averaged; 1 = one network",
    ]

    static var types: [String: ConfigType] {
        [
            "epochs": .integer(minimum: 1, maximum: 100_000),
            "batchSize": .integer(minimum: 1, maximum: 1 << 20),
            "optimizer": .enumeration(OptimizerKind.allCases.map(\.rawValue)),
            "momentum": .number(minimum: 0, maximum: 0.999999),
            "learningRate": .number(minimum: 0, maximum: 10),
            "weightDecay": .number(minimum: 0, maximum: nil),
            "schedule.kind": .enumeration(LearningRateSchedule.Kind.allCases.map(\.rawValue)),
            "clipNorm": .nullable(.number(minimum: 0, maximum: nil)),
            "patience": .nullable(.integer(minimum: 1, maximum: nil)),
            "classWeighting": .enumeration(ClassWeighting.allCases.map(\.rawValue)),
            "labelSmoothing": .number(minimum: 0, maximum: 0.999),
            "threads": .integer(minimum: 1, maximum: 256),
            "seed": .integer(minimum: 0, maximum: nil),
            "ensemble": .integer(minimum: 1, maximum: 100),
        ]
    }

    static var configType: ConfigType { .derived(from: defaultJSON, help: help, typeName: "TrainingOptions", types: types) }

    /// Decodes with SERNet's decoder; errors name the JSON path under `training`.
    static func options(from training: JSONValue, source: String) throws -> TrainingOptions {
        do {
            return try training.decode(TrainingOptions.self)
        } catch let error as DecodingError {
            throw ConfigLoader.describe(error, source: source, tree: training, prefix: "training")
        } catch {
            throw ConfigError.invalid(source: source, section: "training", message: error.localizedDescription)
        }
    }

    /// The options' encoding with the optional values spelled out as null.
    static func encode(_ options: TrainingOptions) throws -> JSONValue {
        var encoded = try JSONValue.encoding(options)
        for key in ["clipNorm", "patience"] where encoded[key] == nil { encoded.set(key, .null) }
        return encoded
    }
}
