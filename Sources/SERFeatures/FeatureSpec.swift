import Foundation

/// Which features to compute, with librosa's defaults wherever the user says nothing.
///
/// This is the contract between the feature code, the cache and the experiment config; JSON keys are
/// the property names. PLACEHOLDER: the features work (issue 2) fills in the parameters and `extract`.
public struct FeatureSpec: Codable, Hashable, Sendable {
    /// Target sample rate in Hz; audio is resampled to it with libsoxr (librosa's default is 22050).
    public var sampleRate: Int = 22050
    /// `frame` gives a (frames x columns) matrix per file, `utterance` one row of functionals.
    public var level: Level = .frame

    public enum Level: String, Codable, Hashable, Sendable { case frame, utterance }

    public init() {}

    /// A stable hex digest of every parameter (the same across runs, machines and Swift versions).
    public var stableHash: String { "placeholder" }
}

/// Bumped whenever the feature code changes its numbers; part of every cache key.
public let featureCodeVersion = 1

/// A feature matrix: `frameCount` rows of `columnNames.count` values, row-major.
public struct FeatureMatrix: Sendable, Equatable {
    public var frameCount: Int
    public var columnNames: [String]
    public var values: [Float]

    public init(frameCount: Int, columnNames: [String], values: [Float]) {
        precondition(values.count == frameCount * columnNames.count,
                     "values.count \(values.count) != frames \(frameCount) x columns \(columnNames.count)")
        self.frameCount = frameCount
        self.columnNames = columnNames
        self.values = values
    }

    public var columnCount: Int { columnNames.count }
}

/// Computes the features of a spec; built once (filterbanks, FFT plans) and shared across threads.
public final class FeatureExtractor: Sendable {
    public let spec: FeatureSpec

    public init(spec: FeatureSpec) throws {
        self.spec = spec
    }

    /// Features of mono `samples` already at `spec.sampleRate`.
    public func extract(_ samples: [Float]) -> FeatureMatrix {
        FeatureMatrix(frameCount: 0, columnNames: [], values: [])
    }
}
