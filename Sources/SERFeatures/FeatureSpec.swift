import Foundation
import SERCore

/// Which features to compute, with librosa's defaults wherever the user says nothing.
///
/// This is the contract between the feature code, the cache and the experiment config; JSON keys are
/// the property names, every key is optional, an unknown key is an error. `{}` means
/// `librosa.feature.mfcc(y, sr=22050)`: 20 MFCC from 128 Slaney mel bands, n_fft 2048, hop 512.
///
/// Deviation from librosa: chroma uses `chromaTuning` (default 0) instead of estimating the tuning
/// per file (`librosa.feature.chroma_stft(tuning=None)`); pass the same `tuning=0.0` to compare.
public struct FeatureSpec: Codable, Hashable, Sendable {
    /// Target sample rate in Hz; audio is resampled to it with libsoxr (librosa's default is 22050).
    public var sampleRate: Int = 22050
    /// `frame` gives a (frames x columns) matrix per file, `utterance` one row of functionals.
    public var level: Level = .frame
    /// Frame features, in column order.
    public var features: [Feature] = [.mfcc]
    /// FFT size in samples (`n_fft`); also the frame length of RMS, ZCR and YIN.
    public var fftLength: Int = 2048
    /// Hop between frames in samples (`hop_length`).
    public var hopLength: Int = 512
    /// Hann window length in samples (`win_length`), centred in the FFT frame; `nil` = `fftLength`.
    public var windowLength: Int? = nil
    /// Mel bands (`n_mels`).
    public var melBandCount: Int = 128
    /// Cepstral coefficients kept (`n_mfcc`).
    public var mfccCount: Int = 20
    /// Mel scale: `slaney` (librosa's default, linear below 1 kHz) or `htk`.
    public var melScale: MelScale = .slaney
    /// Filter normalisation: `slaney` (equal area, librosa's default) or `none` (peak 1).
    public var melNormalization: MelNormalization = .slaney
    /// Lowest mel filter edge in Hz (`fmin`).
    public var minFrequency: Double = 0
    /// Highest mel filter edge in Hz (`fmax`); `nil` = `sampleRate / 2`.
    public var maxFrequency: Double? = nil
    /// `power_to_db` floor below the utterance's maximum, in dB (`top_db`); `nil` = no floor.
    public var topDecibels: Double? = 80
    /// Savitzky-Golay window of deltas and delta-deltas (`width`, odd, >= 3), `interp` edges.
    public var deltaWidth: Int = 9
    /// Spectral roll-off fraction (`roll_percent`).
    public var rolloffPercent: Double = 0.85
    /// Chroma bins per octave (`n_chroma`).
    public var chromaCount: Int = 12
    /// Tuning offset of the chroma filterbank in fractions of a bin (`tuning`); see the type's note.
    public var chromaTuning: Double = 0
    /// YIN search range in Hz (`fmin`, `fmax`); defaults are C2 and C7 as in librosa's examples.
    public var pitchMinFrequency: Double = 65.40639132514966
    public var pitchMaxFrequency: Double = 2093.004522404789
    /// YIN absolute threshold on the cumulative mean normalised difference (`trough_threshold`).
    public var troughThreshold: Double = 0.1
    /// Utterance-level statistics, in column order after each frame column.
    public var functionals: [Functional] = [.mean, .std, .min, .max]
    /// Utterance-level percentiles in [0, 100] (numpy's linear interpolation), after `functionals`.
    public var percentiles: [Double] = []
    /// A deliberate bug for the accuracy gate's weakened-model controls (`scripts/regression --ci`), never
    /// read from JSON: a config cannot set it, only `ExperimentRunner` for a `GateControl` run. Written into
    /// the canonical JSON only when set, so it gets its own cache entry and every other hash stays as it was.
    public var controlFault: ControlFault? = nil

    /// Feature bugs the gate's controls inject (see `controlFault`).
    public enum ControlFault: String, Codable, Hashable, Sendable {
        /// The mel power goes to the DCT without `power_to_db`: MFCC (and log-mel) without the log.
        case mfccWithoutLog
    }
    public enum Level: String, Codable, Hashable, Sendable { case frame, utterance }

    public enum MelScale: String, Codable, Hashable, Sendable { case slaney, htk }

    public enum MelNormalization: String, Codable, Hashable, Sendable { case slaney, none }

    /// A frame feature and the columns it contributes.
    public enum Feature: String, Codable, Hashable, Sendable, CaseIterable {
        /// `mfcc_0 ..< mfcc_{mfccCount}`: DCT-II (orthonormal) of the log-mel spectrogram.
        case mfcc
        /// `delta_mfcc_i`: first Savitzky-Golay derivative of the MFCC over frames.
        case deltaMFCC
        /// `delta2_mfcc_i`: second derivative (librosa `delta(mfcc, order=2)`).
        case deltaDeltaMFCC
        /// `log_mel_i`: `power_to_db` of the mel power spectrogram.
        case logMel
        /// `rms`: root mean square of each (zero-padded, unwindowed) frame.
        case rms
        /// `zcr`: fraction of sign changes in each (edge-padded) frame.
        case zeroCrossingRate
        /// `spectral_centroid` in Hz, of the magnitude spectrum.
        case spectralCentroid
        /// `spectral_bandwidth` in Hz (p = 2, around the centroid).
        case spectralBandwidth
        /// `spectral_rolloff` in Hz: lowest bin holding `rolloffPercent` of the magnitude sum.
        case spectralRolloff
        /// `spectral_flatness`: geometric over arithmetic mean of the power spectrum.
        case spectralFlatness
        /// `chroma_0 ..< chroma_{chromaCount}` from C, each frame scaled to maximum 1.
        case chroma
        /// `f0` in Hz (YIN) and `voiced` (1 when a trough fell below `troughThreshold`, else 0).
        case f0
        /// The eGeMAPS v02 parameter set (`EGeMAPSAnalyzer`, docs/egemaps.md), alone in `features`: at frame
        /// level its 25 smoothed descriptors every 10 ms, at utterance level its own 88 functionals (named
        /// as openSMILE names them); it uses its own frames, so `fftLength`, `hopLength`, the mel and pitch
        /// keys, `functionals` and `percentiles` do not apply to it.
        case egemaps
    }

    /// Utterance statistics; `std` is the population standard deviation (numpy's `ddof=0`).
    public enum Functional: String, Codable, Hashable, Sendable { case mean, std, min, max }

    public init() {}

    /// A spec with the given sample rate and features and librosa's defaults elsewhere.
    public init(sampleRate: Int, features: [Feature] = [.mfcc]) {
        self.sampleRate = sampleRate
        self.features = features
    }

    /// `windowLength` and `maxFrequency` filled in.
    public var resolved: FeatureSpec {
        var copy = self
        copy.windowLength = windowLength ?? fftLength
        copy.maxFrequency = maxFrequency ?? Double(sampleRate) / 2
        return copy
    }

    /// Sorted-key JSON of the resolved spec, every key present: the text `stableHash` digests.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a value type of strings, numbers and arrays cannot fail.
        let data = try! encoder.encode(resolved)
        return String(decoding: data, as: UTF8.self)
    }

    /// SHA-256 hex of `canonicalJSON`: the same across runs and machines; a spec that only spells out a
    /// default (e.g. `maxFrequency` = sampleRate / 2) hashes like one that leaves it out.
    public var stableHash: String { SHA256.hexDigest(of: canonicalJSON) }
}

/// Bumped whenever the feature code changes its numbers; part of every cache key.
/// 2: STFT power through a half-size complex FFT (last bits of every spectral value moved).
/// 3: MFCC through the folded, centred float DCT (`DCTMatrix.applyLanes`; last bits of MFCC and deltas).
public let featureCodeVersion = 3
