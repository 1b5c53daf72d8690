import Foundation
import Testing
@testable import SERFeatures

@Suite struct FeatureSpecTests {
    func decode(_ json: String) throws -> FeatureSpec { try FeatureSpec.decode(json: Data(json.utf8)) }

    @Test func emptyJSONIsLibrosaMFCCDefaults() throws {
        let spec = try decode("{}")
        #expect(spec == FeatureSpec())
        #expect(spec.sampleRate == 22050 && spec.fftLength == 2048 && spec.hopLength == 512)
        #expect(spec.melBandCount == 128 && spec.mfccCount == 20 && spec.features == [.mfcc])
        #expect(spec.melScale == .slaney && spec.melNormalization == .slaney && spec.topDecibels == 80)
        #expect(try FeatureExtractor(spec: spec).columnNames == (0..<20).map { "mfcc_\($0)" })
    }

    @Test func roundTripsThroughJSON() throws {
        var spec = FeatureSpec(sampleRate: 16000, features: [.mfcc, .deltaMFCC, .f0])
        spec.topDecibels = nil
        spec.percentiles = [25, 50]
        let data = try JSONEncoder().encode(spec)
        #expect(try FeatureSpec.decode(json: data) == spec)
    }

    @Test func hashIsStableAndCoversEveryParameter() throws {
        let base = FeatureSpec()
        #expect(base.stableHash.count == 64)
        #expect(base.stableHash == (try decode("{}")).stableHash)
        // Spelling out a default does not change the hash.
        #expect(base.stableHash == (try decode(#"{"maxFrequency": 11025, "windowLength": 2048}"#)).stableHash)
        var changed = base
        changed.hopLength = 256
        #expect(changed.stableHash != base.stableHash)
        changed = base
        changed.topDecibels = nil
        #expect(changed.stableHash != base.stableHash)
        changed = base
        changed.features = [.mfcc, .rms]
        #expect(changed.stableHash != base.stableHash)
        // Pinned: if this changes, every feature cache is invalidated; change it only on purpose.
        #expect(base.stableHash == Self.pinnedDefaultHash, "default spec hash is now \(base.stableHash); canonical JSON: \(base.canonicalJSON)")
    }

    /// The accuracy gate's feature bug (`controlFault`): no config can set it, it has its own hash only
    /// when set (the pinned hash above stays), and it really drops the log: its "log-mel" is the mel power.
    @Test func controlFaultIsTestOnlyAndDropsTheLog() throws {
        var spec = FeatureSpec(sampleRate: 16000, features: [.logMel])
        spec.topDecibels = nil
        var faulty = spec
        faulty.controlFault = .mfccWithoutLog
        #expect(faulty.stableHash != spec.stableHash)
        #expect(faulty.canonicalJSON.contains(#""controlFault":"mfccWithoutLog""#))
        #expect(!spec.canonicalJSON.contains("controlFault"))
        #expect(throws: FeatureSpecError.self) { try decode(#"{"controlFault": "mfccWithoutLog"}"#) }
        let samples = (0..<8000).map { i in 0.5 * sinf(2 * .pi * 440 * Float(i) / 16000) + 0.01 * sinf(Float(i) * 1.7) }
        let decibels = try FeatureExtractor(spec: spec).extract(samples).values
        let power = try FeatureExtractor(spec: faulty).extract(samples).values
        #expect(decibels.count == power.count && !decibels.isEmpty)
        var compared = 0
        for (db, p) in zip(decibels, power) where db > -90 {
            #expect(abs(10 * log10(p) - db) < 0.01, "\(db) dB vs power \(p)")
            compared += 1
        }
        #expect(compared > decibels.count / 2)
    }

    static let pinnedDefaultHash = "ec889d13bc0511f3966de2fcf26a6ce7568ed818c91a4b0c3f1ba8d495bb20ac"

    @Test func unknownKeyIsNamedWithASuggestion() {
        do {
            _ = try decode(#"{"hopLenght": 256}"#)
            Issue.record("an unknown key was accepted")
        } catch let error as FeatureSpecError {
            #expect(error.path == "hopLenght")
            #expect(error.localizedDescription.contains("did you mean 'hopLength'"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func wrongTypeNamesTheKey() {
        #expect(throws: FeatureSpecError.self) { try decode(#"{"hopLength": "short"}"#) }
        do {
            _ = try decode(#"{"features": ["mfcc", "loudness"]}"#)
            Issue.record("an unknown feature name was accepted")
        } catch let error as FeatureSpecError {
            #expect(error.path == "features[1]")
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test(arguments: [
        (#"{"fftLength": 0}"#, "fftLength"),
        (#"{"hopLength": 0}"#, "hopLength"),
        (#"{"windowLength": 4096}"#, "windowLength"),
        (#"{"mfccCount": 200}"#, "mfccCount"),
        (#"{"maxFrequency": 20000}"#, "maxFrequency"),
        (#"{"deltaWidth": 4}"#, "deltaWidth"),
        (#"{"features": []}"#, "features"),
        (#"{"features": ["mfcc", "mfcc"]}"#, "features[1]"),
        (#"{"features": ["f0"], "sampleRate": 16000, "fftLength": 128}"#, "pitchMinFrequency"),
        (#"{"percentiles": [50, 101]}"#, "percentiles[1]"),
    ])
    func invalidParametersAreNamed(json: String, path: String) throws {
        let spec = try decode(json)
        do {
            _ = try FeatureExtractor(spec: spec)
            Issue.record("\(json) was accepted")
        } catch let error as FeatureSpecError {
            #expect(error.path == path, "\(error.localizedDescription)")
        }
    }

    @Test func columnNamesFollowTheSpecOrder() throws {
        var spec = FeatureSpec(sampleRate: 16000, features: [.rms, .mfcc, .deltaMFCC, .deltaDeltaMFCC, .f0, .chroma])
        spec.mfccCount = 2
        spec.chromaCount = 3
        let extractor = try FeatureExtractor(spec: spec)
        #expect(extractor.columnNames == ["rms", "mfcc_0", "mfcc_1", "delta_mfcc_0", "delta_mfcc_1", "delta2_mfcc_0", "delta2_mfcc_1",
                                          "f0", "voiced", "chroma_0", "chroma_1", "chroma_2"])
        spec.level = .utterance
        spec.features = [.rms, .f0]
        spec.functionals = [.mean, .max]
        spec.percentiles = [2.5, 50]
        #expect(try FeatureExtractor(spec: spec).columnNames == [
            "rms_mean", "rms_max", "rms_p2.5", "rms_p50", "f0_mean", "f0_max", "f0_p2.5", "f0_p50",
            "voiced_mean", "voiced_max", "voiced_p2.5", "voiced_p50",
        ])
    }
}
