import Foundation
import SERCore
import SERExperiment
import SERFeatures
import SERNet
import SERPredict
import SERTestSupport

/// Small bundles made in memory, for SERPredict's tests and SERServe's (random, untrained MLPs: they
/// predict deterministically, not well).
public enum BundleFixture {
    public static let labels = ["angry", "happy", "sad"]

    /// 4 MFCC, utterance level, mean and std: 8 columns.
    public static var spec: FeatureSpec {
        var spec = FeatureSpec()
        spec.sampleRate = 16000
        spec.level = .utterance
        spec.mfccCount = 4
        spec.melBandCount = 32
        spec.fftLength = 512
        spec.hopLength = 160
        spec.functionals = [.mean, .std]
        return spec
    }

    public static func member(seed: UInt64, columns: Int = 8, normalization: FeatureNormalization = .global) throws -> BundleMember {
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(#"{"type": "mlp", "hiddenSizes": [6]}"#.utf8))
        let model = try Model(spec: spec, inputSize: columns, classCount: labels.count, seed: seed)
        model.labels = labels
        let offset = Double(seed)
        let mean: [Double] = (0..<columns).map { Double($0) * 0.25 + offset }
        let std: [Double] = (0..<columns).map { 1 + Double($0) / 3 }
        let global: (mean: [Double], std: [Double])? = normalization == .none ? nil : (mean, std)
        return BundleMember(model: model, normalizer: Normalizer(kind: normalization, global: global))
    }

    public static func bundle(members: Int = 2, normalization: FeatureNormalization = .global) throws -> ModelBundle {
        ModelBundle(members: try (0..<members).map { try member(seed: UInt64($0 + 1), normalization: normalization) },
                    labels: labels, featureSpec: spec, input: InputConfig(maxFrames: 300, poolFrames: 2), normalization: normalization,
                    resolvedConfig: .object([("name", .string("fixture")), ("seed", .number(3))]),
                    dataFingerprint: String(repeating: "ab", count: 32), provenance: "test fixture")
    }

    public static func temporaryFile(_ name: String) -> URL {
        TestSupport.temporaryDirectory("serpredict-bundle").appendingPathComponent(name)
    }
}
