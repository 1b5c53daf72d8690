import Foundation
import SERCore
import SERExperiment
import SERFeatures
import SERNet

/// One network of a bundle with the feature normalisation it was trained behind.
///
/// `model` is a class (not thread-safe): predict with one member on one thread at a time.
public struct BundleMember {
    public var model: Model
    /// The statistics applied to the shaped features before `model` sees them; its `kind` is the
    /// bundle's `normalization`. Only global statistics are stored (see `ModelBundle.normalization`).
    public var normalizer: Normalizer

    public init(model: Model, normalizer: Normalizer) {
        self.model = model
        self.normalizer = normalizer
    }
}

/// Everything prediction needs, in one sealed HDF5 file (layout: docs/bundle.md), and nothing from the
/// machine it was made on: one or more networks (an ensemble predicts with the mean of its members'
/// probabilities), each with its normalisation statistics; the feature spec and the feature code
/// version it was computed with; the input shaping; the label list; the resolved config; the
/// training data's fingerprint; serlab's version and how the bundle was made.
///
/// ```swift
/// try ModelBundle(members: [BundleMember(model: model, normalizer: normalizer)], labels: labels,
///                 featureSpec: config.features, input: config.input, normalization: config.normalization,
///                 resolvedConfig: resolved, dataFingerprint: environment.data.fingerprint,
///                 provenance: "train of configs/mlp_ravdess.json").write(to: url)
/// let bundle = try ModelBundle.read(url)
/// ```
public struct ModelBundle {
    public static let formatName = "serlab-model-bundle"
    /// Bumped when the layout changes; a reader refuses a newer version (`ModelBundleError.newerFormat`).
    public static let formatVersion = 1
    /// The file extension `serlab bundle` and `serlab train` suggest.
    public static let fileExtension = "serlab"

    public var members: [BundleMember]
    /// Class names in the order of every member's outputs.
    public var labels: [String]
    public var featureSpec: FeatureSpec
    /// `featureCodeVersion` of the serlab that computed the training features; a bundle whose version
    /// differs from this serlab's cannot be read (the same audio would give other features).
    public var featureCodeVersion: Int
    /// Frame cropping and pooling applied to the features before normalisation (as in the run).
    public var input: InputConfig
    /// The normalisation the members were trained behind. `global`: each member's stored training
    /// statistics. `speaker`: the model saw every speaker normalised with its own statistics; at
    /// prediction time the caller may group recordings by speaker (`Predictor.predict(urls:speakers:)`,
    /// `serlab predict --speaker-from`) and each group is normalised with statistics of its own
    /// recordings only; without a grouping the stored training-global statistics are used instead (an
    /// approximation: the members never saw globally normalised input). `none`: features as computed.
    public var normalization: FeatureNormalization
    /// The config the members were trained with, fully resolved (config.resolved.json).
    public var resolvedConfig: JSONValue
    /// environment.json's data fingerprint (sha256 of the sorted path,size,sha256 lines) of the training data.
    public var dataFingerprint: String
    /// How the bundle was made, e.g. `"bundle of run results/x/20240101-... folds 0-4"` or `"train of ..."`.
    public var provenance: String
    /// serlab's version when the bundle was written (`serlabVersion` for a new bundle).
    public var serlabVersion: String

    public init(members: [BundleMember], labels: [String], featureSpec: FeatureSpec, featureCodeVersion: Int = SERFeatures.featureCodeVersion,
                input: InputConfig, normalization: FeatureNormalization, resolvedConfig: JSONValue, dataFingerprint: String,
                provenance: String, serlabVersion: String = SERCore.serlabVersion) {
        self.members = members
        self.labels = labels
        self.featureSpec = featureSpec
        self.featureCodeVersion = featureCodeVersion
        self.input = input
        self.normalization = normalization
        self.resolvedConfig = resolvedConfig
        self.dataFingerprint = dataFingerprint
        self.provenance = provenance
        self.serlabVersion = serlabVersion
    }

    /// Columns of the features `featureSpec` gives (every member's input size).
    public func featureColumnCount() throws -> Int {
        try FeatureExtractor(spec: featureSpec).columnNames.count
    }
}

/// Why a model bundle could not be written or read. Every case names the file.
public enum ModelBundleError: LocalizedError, Equatable {
    /// Missing, truncated, corrupt or not sealed: the checksum trailer does not verify (or HDF5 refuses it).
    case unreadable(path: String, reason: String)
    /// A readable file that is not a serlab model bundle, or one missing a required part.
    case notABundle(path: String, reason: String)
    /// Written by a newer serlab in a layout this one does not know.
    case newerFormat(path: String, found: Int)
    /// Made for other features than this serlab computes (feature code version or spec).
    case otherFeatures(path: String, reason: String)
    /// A member's network or statistics do not fit the bundle (input size, classes, labels, shapes, checksum).
    case memberMismatch(path: String, member: Int, reason: String)
    /// The bundle in memory is inconsistent (a programming error of the caller), or the file could not be written.
    case writeFailed(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): expected a serlab model bundle, could not read it: \(reason)"
        case .notABundle(let path, let reason):
            return "\(path): not a serlab model bundle: \(reason)"
        case .newerFormat(let path, let found):
            return "\(path): bundle format version \(found) is newer than this serlab reads (\(ModelBundle.formatVersion)); update serlab"
        case .otherFeatures(let path, let reason):
            return "\(path): the bundle was made for other features than this serlab computes: \(reason)"
        case .memberMismatch(let path, let member, let reason):
            return "\(path): member \(member) does not fit the bundle: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write the model bundle: \(reason)"
        }
    }
}
