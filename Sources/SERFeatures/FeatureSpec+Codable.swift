import Foundation
import SERCore

/// Why a feature spec cannot be used; names the JSON key, what was expected and what was found.
public struct FeatureSpecError: LocalizedError, Equatable, Sendable {
    /// JSON path of the offending key, e.g. `hopLength` or `features[2]`.
    public var path: String
    public var expected: String
    public var found: String

    public init(path: String, expected: String, found: String) {
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var errorDescription: String? { "feature spec \(path): expected \(expected), found \(found)" }
}

extension FeatureSpec {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case sampleRate, level, features, fftLength, hopLength, windowLength, melBandCount, mfccCount, melScale
        case melNormalization, minFrequency, maxFrequency, topDecibels, deltaWidth, rolloffPercent, chromaCount
        case chromaTuning, pitchMinFrequency, pitchMaxFrequency, troughThreshold, functionals, percentiles
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Every key optional (librosa's default when absent); an unknown key is an error naming it.
    public init(from decoder: Decoder) throws {
        let raw = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        if let unknown = raw.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
            let hint = known.min { editDistance($0, unknown) < editDistance($1, unknown) } ?? ""
            throw FeatureSpecError(path: unknown, expected: "one of the spec keys (did you mean '\(hint)'?)",
                                   found: "unknown key '\(unknown)'")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value = decoded }
        }
        try take(.sampleRate, &sampleRate)
        try take(.level, &level)
        try take(.features, &features)
        try take(.fftLength, &fftLength)
        try take(.hopLength, &hopLength)
        windowLength = try c.decodeIfPresent(Int.self, forKey: .windowLength)
        try take(.melBandCount, &melBandCount)
        try take(.mfccCount, &mfccCount)
        try take(.melScale, &melScale)
        try take(.melNormalization, &melNormalization)
        try take(.minFrequency, &minFrequency)
        maxFrequency = try c.decodeIfPresent(Double.self, forKey: .maxFrequency)
        if c.contains(.topDecibels) { topDecibels = try c.decodeIfPresent(Double.self, forKey: .topDecibels) }
        try take(.deltaWidth, &deltaWidth)
        try take(.rolloffPercent, &rolloffPercent)
        try take(.chromaCount, &chromaCount)
        try take(.chromaTuning, &chromaTuning)
        try take(.pitchMinFrequency, &pitchMinFrequency)
        try take(.pitchMaxFrequency, &pitchMaxFrequency)
        try take(.troughThreshold, &troughThreshold)
        try take(.functionals, &functionals)
        try take(.percentiles, &percentiles)
    }

    /// Writes every key; `nil` optionals as `null` so the canonical JSON is complete.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(level, forKey: .level)
        try c.encode(features, forKey: .features)
        try c.encode(fftLength, forKey: .fftLength)
        try c.encode(hopLength, forKey: .hopLength)
        try c.encode(windowLength, forKey: .windowLength)
        try c.encode(melBandCount, forKey: .melBandCount)
        try c.encode(mfccCount, forKey: .mfccCount)
        try c.encode(melScale, forKey: .melScale)
        try c.encode(melNormalization, forKey: .melNormalization)
        try c.encode(minFrequency, forKey: .minFrequency)
        try c.encode(maxFrequency, forKey: .maxFrequency)
        try c.encode(topDecibels, forKey: .topDecibels)
        try c.encode(deltaWidth, forKey: .deltaWidth)
        try c.encode(rolloffPercent, forKey: .rolloffPercent)
        try c.encode(chromaCount, forKey: .chromaCount)
        try c.encode(chromaTuning, forKey: .chromaTuning)
        try c.encode(pitchMinFrequency, forKey: .pitchMinFrequency)
        try c.encode(pitchMaxFrequency, forKey: .pitchMaxFrequency)
        try c.encode(troughThreshold, forKey: .troughThreshold)
        try c.encode(functionals, forKey: .functionals)
        try c.encode(percentiles, forKey: .percentiles)
        if let controlFault {
            var control = encoder.container(keyedBy: ControlFaultKey.self)
            try control.encode(controlFault, forKey: .controlFault)
        }
    }

    /// Not among `CodingKeys`: decoding never accepts it (see `controlFault`).
    private enum ControlFaultKey: String, CodingKey { case controlFault }

    /// Decodes a spec from JSON text, turning decoding failures into a `FeatureSpecError` with the key path.
    public static func decode(json data: Data) throws -> FeatureSpec {
        do {
            return try JSONDecoder().decode(FeatureSpec.self, from: data)
        } catch let error as FeatureSpecError {
            throw error
        } catch let DecodingError.typeMismatch(type, context) {
            throw FeatureSpecError(path: pathString(context.codingPath), expected: "a value of type \(type)", found: context.debugDescription)
        } catch let DecodingError.dataCorrupted(context) {
            throw FeatureSpecError(path: pathString(context.codingPath), expected: "valid JSON or an allowed value", found: context.debugDescription)
        } catch let DecodingError.valueNotFound(type, context) {
            throw FeatureSpecError(path: pathString(context.codingPath), expected: "a value of type \(type)", found: "null")
        } catch {
            throw FeatureSpecError(path: "(root)", expected: "a JSON object of spec keys", found: "\(error)")
        }
    }

    /// Checks every parameter against the others; the first problem is thrown with its key.
    public func validate() throws {
        func fail(_ path: String, _ expected: String, _ found: Any) throws -> Never {
            throw FeatureSpecError(path: path, expected: expected, found: "\(found)")
        }
        if sampleRate <= 0 { try fail("sampleRate", "a positive rate in Hz", sampleRate) }
        if features.isEmpty { try fail("features", "at least one feature", "[]") }
        if let index = features.indices.first(where: { features[..<$0].contains(features[$0]) }) {
            try fail("features[\(index)]", "each feature once", "a second '\(features[index].rawValue)'")
        }
        if features.contains(.egemaps) {
            if features.count > 1 { try fail("features", "'egemaps' alone (it has its own 10 ms frames)", features.map(\.rawValue).joined(separator: ", ")) }
            if sampleRate < 16000 { try fail("sampleRate", "at least 16000 Hz for 'egemaps' (its mel bands reach 8 kHz)", sampleRate) }
        }
        if fftLength < 2 { try fail("fftLength", "an FFT size >= 2", fftLength) }
        if hopLength < 1 { try fail("hopLength", "a positive hop in samples", hopLength) }
        if let w = windowLength, w < 1 || w > fftLength { try fail("windowLength", "1 ... fftLength (\(fftLength))", w) }
        if melBandCount < 1 { try fail("melBandCount", "at least 1 band", melBandCount) }
        if mfccCount < 1 || mfccCount > melBandCount { try fail("mfccCount", "1 ... melBandCount (\(melBandCount))", mfccCount) }
        let nyquist = Double(sampleRate) / 2
        if !(minFrequency >= 0 && minFrequency < (maxFrequency ?? nyquist)) {
            try fail("minFrequency", "0 <= minFrequency < maxFrequency", minFrequency)
        }
        if let f = maxFrequency, !(f > 0 && f <= nyquist) { try fail("maxFrequency", "0 < maxFrequency <= sampleRate / 2 (\(nyquist))", f) }
        if let t = topDecibels, !(t >= 0) { try fail("topDecibels", "a non-negative number of dB or null", t) }
        if deltaWidth < 3 || deltaWidth % 2 == 0 { try fail("deltaWidth", "an odd width >= 3", deltaWidth) }
        if !(rolloffPercent > 0 && rolloffPercent < 1) { try fail("rolloffPercent", "a fraction strictly between 0 and 1", rolloffPercent) }
        if chromaCount < 1 { try fail("chromaCount", "at least 1 bin per octave", chromaCount) }
        if !chromaTuning.isFinite || abs(chromaTuning) > 0.5 { try fail("chromaTuning", "a tuning offset in [-0.5, 0.5] bins", chromaTuning) }
        if features.contains(.f0) {
            if !(pitchMinFrequency > 0) { try fail("pitchMinFrequency", "a positive frequency", pitchMinFrequency) }
            if !(pitchMaxFrequency > pitchMinFrequency) { try fail("pitchMaxFrequency", "more than pitchMinFrequency (\(pitchMinFrequency))", pitchMaxFrequency) }
            if pitchMaxFrequency > nyquist { try fail("pitchMaxFrequency", "at most sampleRate / 2 (\(nyquist))", pitchMaxFrequency) }
            if Double(sampleRate) / pitchMinFrequency >= Double(fftLength - 1) {
                try fail("pitchMinFrequency", "one period to fit in fftLength - 1 samples (pitchMinFrequency > \(Double(sampleRate) / Double(fftLength - 1)) Hz at fftLength \(fftLength))", pitchMinFrequency)
            }
            if !(troughThreshold > 0) { try fail("troughThreshold", "a positive threshold", troughThreshold) }
        }
        for (index, p) in percentiles.enumerated() where !(p >= 0 && p <= 100) {
            try fail("percentiles[\(index)]", "a percentile in [0, 100]", p)
        }
        if level == .utterance && functionals.isEmpty && percentiles.isEmpty {
            try fail("functionals", "at least one functional or percentile for utterance level", "none")
        }
    }
}

private func pathString(_ path: [CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue { text += "[\(index)]" } else { text += text.isEmpty ? key.stringValue : ".\(key.stringValue)" }
    }
    return text.isEmpty ? "(root)" : text
}
