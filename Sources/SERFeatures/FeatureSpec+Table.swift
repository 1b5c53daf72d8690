/// The columns of a feature table (`serlab features CONFIG --output table.csv`): one row per utterance.
///
/// Names are the ones `FeatureExtractor` gives at utterance level, nothing new: each frame column
/// (`FeatureExtractor.columnNames(of:spec:)`: `mfcc_3`, `spectral_centroid`, `chroma_0`, ...) followed by
/// `_<functional>` for each of `spec.functionals` (`mfcc_3_mean`, `spectral_centroid_std`) and then
/// `_p<percentile>` for each of `spec.percentiles` (`mfcc_0_p50`, `rms_p2.5`; `Functionals.columnNames`).
/// A frame-level spec's table row is the same spec's functionals of its frames, so a table of a frame-level
/// spec equals the table of `utteranceLevel`. docs/features.md lists them.
extension FeatureSpec {
    /// This spec at utterance level: its extractor's `columnNames` are the table's feature columns.
    public var utteranceLevel: FeatureSpec {
        var copy = self
        copy.level = .utterance
        return copy
    }

    /// This spec at frame level: what a frame-matrix export (`--output frames.h5`) holds.
    public var frameLevel: FeatureSpec {
        var copy = self
        copy.level = .frame
        return copy
    }
}

extension Functionals {
    /// The table row of `matrix`, extracted with `spec`: the matrix itself at utterance level, else
    /// `spec.functionals` then `spec.percentiles` of its frames (what `spec.utteranceLevel` extracts).
    public static func utteranceRow(_ matrix: FeatureMatrix, spec: FeatureSpec) -> FeatureMatrix {
        spec.level == .utterance ? matrix : apply(matrix, functionals: spec.functionals, percentiles: spec.percentiles)
    }
}
