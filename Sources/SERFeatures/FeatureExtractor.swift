import Foundation

/// Computes the features of a spec; built once (window, FFT plans, mel, DCT and chroma filterbanks)
/// and shared across threads: `extract` only reads the extractor's state.
///
/// Columns follow `spec.features` in order (see `FeatureSpec.Feature` for each feature's names); at
/// utterance level each column becomes `<column>_<functional>` (see `Functionals`).
public final class FeatureExtractor: Sendable {
    public let spec: FeatureSpec
    /// Frame-level column names (also the input of the utterance functionals).
    public let frameColumnNames: [String]
    /// Column names of `extract`'s result.
    public let columnNames: [String]
    let spectrogram: Spectrogram
    let melFilterbank: MelFilterbank?
    let dct: DCTMatrix?
    let chromaFilterbank: ChromaFilterbank?
    let yin: YIN?
    /// Set when the spec is `["egemaps"]`: it replaces every other path.
    let egemaps: EGeMAPSAnalyzer?

    /// Throws `FeatureSpecError` when the spec's parameters do not fit together.
    public init(spec: FeatureSpec) throws {
        try spec.validate()
        self.spec = spec
        let wanted = Set(spec.features)
        spectrogram = Spectrogram(fftLength: spec.fftLength, hopLength: spec.hopLength, windowLength: spec.windowLength ?? spec.fftLength)
        let needsMel = !wanted.isDisjoint(with: [.mfcc, .deltaMFCC, .deltaDeltaMFCC, .logMel])
        melFilterbank = needsMel
            ? MelFilterbank(sampleRate: spec.sampleRate, fftLength: spec.fftLength, melBandCount: spec.melBandCount,
                            minFrequency: spec.minFrequency, maxFrequency: spec.maxFrequency,
                            scale: spec.melScale, normalization: spec.melNormalization)
            : nil
        dct = wanted.isDisjoint(with: [.mfcc, .deltaMFCC, .deltaDeltaMFCC]) ? nil : DCTMatrix(inputCount: spec.melBandCount, outputCount: spec.mfccCount)
        chromaFilterbank = wanted.contains(.chroma)
            ? ChromaFilterbank(sampleRate: spec.sampleRate, fftLength: spec.fftLength, chromaCount: spec.chromaCount, tuning: spec.chromaTuning)
            : nil
        yin = wanted.contains(.f0)
            ? YIN(sampleRate: spec.sampleRate, frameLength: spec.fftLength, hopLength: spec.hopLength,
                  minFrequency: spec.pitchMinFrequency, maxFrequency: spec.pitchMaxFrequency, troughThreshold: spec.troughThreshold)
            : nil
        egemaps = wanted.contains(.egemaps) ? EGeMAPSAnalyzer(sampleRate: spec.sampleRate) : nil
        let frameColumns = spec.features.flatMap { Self.columnNames(of: $0, spec: spec) }
        frameColumnNames = frameColumns
        if egemaps != nil {
            columnNames = spec.level == .frame ? frameColumns : EGeMAPSAnalyzer.functionalNames
        } else {
            columnNames = spec.level == .frame
                ? frameColumns
                : Functionals.columnNames(for: frameColumns, functionals: spec.functionals, percentiles: spec.percentiles)
        }
    }

    /// The columns one feature contributes.
    public static func columnNames(of feature: FeatureSpec.Feature, spec: FeatureSpec) -> [String] {
        switch feature {
        case .mfcc: return (0..<spec.mfccCount).map { "mfcc_\($0)" }
        case .deltaMFCC: return (0..<spec.mfccCount).map { "delta_mfcc_\($0)" }
        case .deltaDeltaMFCC: return (0..<spec.mfccCount).map { "delta2_mfcc_\($0)" }
        case .logMel: return (0..<spec.melBandCount).map { "log_mel_\($0)" }
        case .rms: return ["rms"]
        case .zeroCrossingRate: return ["zcr"]
        case .spectralCentroid: return ["spectral_centroid"]
        case .spectralBandwidth: return ["spectral_bandwidth"]
        case .spectralRolloff: return ["spectral_rolloff"]
        case .spectralFlatness: return ["spectral_flatness"]
        case .chroma: return (0..<spec.chromaCount).map { "chroma_\($0)" }
        case .f0: return ["f0", "voiced"]
        case .egemaps: return EGeMAPSAnalyzer.lowLevelDescriptorNames
        }
    }

    /// Frames a clip of `sampleCount` samples gives: `1 + sampleCount / hopLength` for an even FFT size.
    public func frameCount(sampleCount: Int) -> Int {
        egemaps?.frameCount(sampleCount: sampleCount) ?? spectrogram.frameCount(sampleCount: sampleCount)
    }

    /// Features of mono `samples` already at `spec.sampleRate`: frame level (`frameCount` rows) or one
    /// utterance row. Samples are expected finite (`AudioFile.read` guarantees it); all-zero input gives
    /// finite values (log-mel at -100 dB, MFCC accordingly, descriptors 0).
    public func extract(_ samples: [Float]) -> FeatureMatrix {
        if let egemaps, spec.level == .utterance { return egemaps.functionals(samples) }
        let frames = extractFrames(samples)
        guard spec.level == .utterance else { return frames }
        return Functionals.apply(frames, functionals: spec.functionals, percentiles: spec.percentiles)
    }

    /// Frame-level features regardless of `spec.level`.
    public func extractFrames(_ samples: [Float]) -> FeatureMatrix {
        if let egemaps { return egemaps.lowLevelDescriptors(samples) }
        let frameCount = spectrogram.frameCount(sampleCount: samples.count)
        let wanted = Set(spec.features)
        let needsPower = chromaFilterbank != nil
            || !wanted.isDisjoint(with: [.spectralCentroid, .spectralBandwidth, .spectralRolloff, .spectralFlatness])
        let power = needsPower ? spectrogram.power(samples) : []
        var blocks: [FeatureSpec.Feature: (values: [Float], width: Int)] = [:]

        if let melFilterbank {
            let (logMel, mfcc) = spectrogram.logMelAndMFCC(samples, mel: melFilterbank, topDecibels: spec.topDecibels, dct: dct,
                                                           wantLogMel: wanted.contains(.logMel), withoutLog: spec.controlFault == .mfccWithoutLog)
            if wanted.contains(.logMel) { blocks[.logMel] = (logMel, spec.melBandCount) }
            if dct != nil {
                blocks[.mfcc] = (mfcc, spec.mfccCount)
                if wanted.contains(.deltaMFCC) {
                    blocks[.deltaMFCC] = (SavitzkyGolay.apply(mfcc, frameCount: frameCount, columnCount: spec.mfccCount, width: spec.deltaWidth, order: 1), spec.mfccCount)
                }
                if wanted.contains(.deltaDeltaMFCC) {
                    blocks[.deltaDeltaMFCC] = (SavitzkyGolay.apply(mfcc, frameCount: frameCount, columnCount: spec.mfccCount, width: spec.deltaWidth, order: 2), spec.mfccCount)
                }
            }
        }
        let spectral = wanted.intersection([.spectralCentroid, .spectralBandwidth, .spectralRolloff, .spectralFlatness])
        if !spectral.isEmpty {
            let descriptors = FrameDescriptors.spectral(power: power, frameCount: frameCount, binCount: spectrogram.binCount,
                                                        sampleRate: spec.sampleRate, fftLength: spec.fftLength,
                                                        rolloffPercent: spec.rolloffPercent, want: spectral)
            for (feature, values) in descriptors { blocks[feature] = (values, 1) }
        }
        if let chromaFilterbank { blocks[.chroma] = (chromaFilterbank.apply(power, frameCount: frameCount), spec.chromaCount) }
        if wanted.contains(.rms) {
            blocks[.rms] = (FrameDescriptors.rms(samples, frameLength: spec.fftLength, hopLength: spec.hopLength), 1)
        }
        if wanted.contains(.zeroCrossingRate) {
            blocks[.zeroCrossingRate] = (FrameDescriptors.zeroCrossingRate(samples, frameLength: spec.fftLength, hopLength: spec.hopLength), 1)
        }
        if let yin {
            let (f0, voiced) = yin(samples)
            var both = [Float](repeating: 0, count: 2 * frameCount)
            for t in 0..<frameCount { both[2 * t] = f0[t]; both[2 * t + 1] = voiced[t] }
            blocks[.f0] = (both, 2)
        }

        // One feature: its block is already the matrix.
        if spec.features.count == 1, let only = blocks[spec.features[0]] {
            return FeatureMatrix(frameCount: frameCount, columnNames: frameColumnNames, values: only.values)
        }
        // Interleave the blocks into one row-major matrix in spec order.
        let columnCount = frameColumnNames.count
        var values = [Float](repeating: 0, count: frameCount * columnCount)
        var offset = 0
        values.withUnsafeMutableBufferPointer { out in
            for feature in spec.features {
                guard let block = blocks[feature] else { preconditionFailure("feature \(feature) was not computed") }
                precondition(block.values.count == frameCount * block.width,
                             "\(feature): \(block.values.count) values for \(frameCount) frames x \(block.width)")
                block.values.withUnsafeBufferPointer { source in
                    for t in 0..<frameCount {
                        for c in 0..<block.width { out[t * columnCount + offset + c] = source[t * block.width + c] }
                    }
                }
                offset += block.width
            }
        }
        return FeatureMatrix(frameCount: frameCount, columnNames: frameColumnNames, values: values)
    }
}
