import CSndfile
import CSoxr
import Foundation

/// Mono float samples at a known rate.
public struct AudioClip: Sendable, Equatable {
    public var samples: [Float]
    public var sampleRate: Int

    public init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var duration: Double { sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0 }
}

/// What the header of an audio file says, read without decoding the samples.
public struct AudioFileInfo: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int
    /// Container as libsndfile detected it from the content: "WAV", "FLAC", "AIFF", ...
    public var container: String
    /// Sample encoding: "PCM_16", "PCM_24", "FLOAT", ...
    public var encoding: String

    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }
}

/// Why an audio file could not be used. Every case names the file.
public enum AudioError: LocalizedError, Equatable {
    case missing(path: String)
    /// A folder where an audio file was expected (e.g. a folder named `x.wav`).
    case isFolder(path: String)
    case notAudio(path: String, reason: String)
    case truncated(path: String, expectedFrames: Int, readFrames: Int)
    case empty(path: String)
    case nonFinite(path: String, index: Int)
    case resampleFailed(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missing(let path):
            return "\(path): no such file"
        case .isFolder(let path):
            return "\(path): expected an audio file, found a folder"
        case .notAudio(let path, let reason):
            return "\(path): expected an audio file libsndfile can read (WAV, FLAC, AIFF, OGG), found none: \(reason)"
        case .truncated(let path, let expected, let read):
            return "\(path): truncated or unreadable audio: header announces \(expected) frames, only \(read) could be read"
        case .empty(let path):
            return "\(path): expected at least one sample, found none"
        case .nonFinite(let path, let index):
            return "\(path): expected finite samples, found NaN or infinity at sample \(index)"
        case .resampleFailed(let path, let reason):
            return "\(path): resampling failed: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write audio: \(reason)"
        }
    }
}

/// Reads audio with libsndfile (format recognised from the content, not the name) and resamples with
/// libsoxr at `soxr_hq`, the quality librosa uses by default, so `read(_:sampleRate:)` gives the samples
/// `librosa.load(path, sr=rate)` gives.
public enum AudioFile {
    /// The header facts of `url` without decoding it.
    public static func info(_ url: URL) throws -> AudioFileInfo {
        let (handle, sfInfo) = try open(url)
        sf_close(handle)
        return describe(sfInfo)
    }

    /// Decodes `url`, averages channels to mono, and resamples to `sampleRate` when given and different.
    public static func read(_ url: URL, sampleRate: Int? = nil) throws -> AudioClip {
        try read(url, sampleRate: sampleRate, flacThroughLibFLAC: true)
    }

    /// `flacThroughLibFLAC: false` decodes FLAC through libsndfile too (tests prove both paths agree).
    static func read(_ url: URL, sampleRate: Int?, flacThroughLibFLAC: Bool) throws -> AudioClip {
        // A clean FLAC stream never needs libsndfile (its open alone costs a libFLAC set-up and a log
        // parse per file); anything the Swift decoder refuses takes the general path below.
        if flacThroughLibFLAC, let flac = FLACDecoder.decodeMono(path: url.path) {
            return try finish(flac.samples, rate: flac.sampleRate, target: sampleRate, url: url)
        }
        let (handle, sfInfo) = try open(url)
        defer { sf_close(handle) }
        let channels = Int(sfInfo.channels)
        let frames = Int(sfInfo.frames)
        guard frames > 0 else { throw AudioError.empty(path: url.path) }
        var mono: [Float]
        if flacThroughLibFLAC, Int(sfInfo.format) & Int(SF_FORMAT_TYPEMASK) == Int(SF_FORMAT_FLAC),
           let decoded = decodeFLACMono(path: url.path, frames: frames, channels: channels) {
            mono = decoded  // integers scaled by a power of two: finite by construction
        } else {
            var interleaved = [Float](repeating: 0, count: frames * channels)
            let read = interleaved.withUnsafeMutableBufferPointer { buffer in
                Int(sf_readf_float(handle, buffer.baseAddress, sf_count_t(frames)))
            }
            guard read == frames else {
                throw AudioError.truncated(path: url.path, expectedFrames: frames, readFrames: read)
            }
            mono = downmix(interleaved, channels: channels)
            if let bad = mono.firstIndex(where: { !$0.isFinite }) {
                throw AudioError.nonFinite(path: url.path, index: bad)
            }
        }
        return try finish(mono, rate: Int(sfInfo.samplerate), target: sampleRate, url: url)
    }

    /// Resamples decoded mono samples when a different target rate is asked for.
    private static func finish(_ samples: [Float], rate: Int, target sampleRate: Int?, url: URL) throws -> AudioClip {
        var mono = samples
        if let target = sampleRate, target != rate {
            do {
                mono = try resample(mono, from: rate, to: target)
            } catch let error as AudioError {
                throw error
            } catch {
                throw AudioError.resampleFailed(path: url.path, reason: "\(error)")
            }
            return AudioClip(samples: mono, sampleRate: target)
        }
        return AudioClip(samples: mono, sampleRate: rate)
    }

    /// Resamples with libsoxr at HQ quality (a pooled resampler, bit-identical to `soxr_oneshot`), then pads or trims to
    /// `ceil(count * target / source)` samples, as `librosa.resample` does.
    public static func resample(_ samples: [Float], from source: Int, to target: Int) throws -> [Float] {
        precondition(source > 0 && target > 0, "sample rates must be positive, got \(source) -> \(target)")
        if source == target || samples.isEmpty { return samples }
        let expected = Int((Double(samples.count) * Double(target) / Double(source)).rounded(.up))
        var output = [Float](repeating: 0, count: expected + 64)
        let done = try samples.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { out in
                try pooledResample(input, from: source, to: target, into: out)
            }
        }
        if done >= expected {
            output.removeSubrange(expected...)
        } else {
            output.removeSubrange(done...)
            output.append(contentsOf: repeatElement(0, count: expected - done))
        }
        return output
    }

    static func downmix(_ interleaved: [Float], channels: Int) -> [Float] {
        if channels == 1 { return interleaved }
        let frames = interleaved.count / channels
        var mono = [Float](repeating: 0, count: frames)
        let scale = 1 / Float(channels)
        interleaved.withUnsafeBufferPointer { source in
            mono.withUnsafeMutableBufferPointer { out in
                for frame in 0..<frames {
                    var sum: Float = 0
                    for channel in 0..<channels { sum += source[frame * channels + channel] }
                    out[frame] = sum * scale
                }
            }
        }
        return mono
    }

    /// Opens `url` in libsndfile after the checks every reader shares (exists, is audio, header sane, data not cut).
    static func open(_ url: URL) throws -> (OpaquePointer, SF_INFO) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw AudioError.missing(path: url.path) }
        if isDirectory.boolValue { throw AudioError.isFolder(path: url.path) }
        var sfInfo = SF_INFO()
        guard let handle = sf_open(url.path, Int32(SFM_READ), &sfInfo) else {
            throw AudioError.notAudio(path: url.path, reason: String(cString: sf_strerror(nil)))
        }
        if sfInfo.channels < 1 || sfInfo.samplerate < 1 {
            sf_close(handle)
            throw AudioError.notAudio(path: url.path, reason: "header has \(sfInfo.channels) channels at \(sfInfo.samplerate) Hz")
        }
        if let (announced, present) = truncatedDataChunk(handle) {
            sf_close(handle)
            let frames = Int(sfInfo.frames)
            let sampleBytes: [Int: Int] = [Int(SF_FORMAT_PCM_S8): 1, Int(SF_FORMAT_PCM_U8): 1, Int(SF_FORMAT_ULAW): 1, Int(SF_FORMAT_ALAW): 1,
                                           Int(SF_FORMAT_PCM_16): 2, Int(SF_FORMAT_PCM_24): 3, Int(SF_FORMAT_PCM_32): 4,
                                           Int(SF_FORMAT_FLOAT): 4, Int(SF_FORMAT_DOUBLE): 8]
            let expected = sampleBytes[Int(sfInfo.format) & Int(SF_FORMAT_SUBMASK)].map { announced / ($0 * Int(sfInfo.channels)) }
                ?? (present > 0 ? frames * announced / present : announced)
            throw AudioError.truncated(path: url.path, expectedFrames: expected, readFrames: frames)
        }
        return (handle, sfInfo)
    }

    /// WAV and AIFF files cut short: libsndfile silently trims the frame count to the bytes present
    /// and logs `data : <announced> (should be <present>)` (`SSND` for AIFF). Returns the two byte counts.
    private static func truncatedDataChunk(_ handle: OpaquePointer) -> (announced: Int, present: Int)? {
        var log = [CChar](repeating: 0, count: 8192)
        sf_command(handle, Int32(SFC_GET_LOG_INFO), &log, Int32(log.count))
        let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("data :") || line.hasPrefix("SSND :") {
            guard line.contains("should be") else { continue }
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            if numbers.count >= 2, numbers[1] < numbers[0] { return (numbers[0], numbers[1]) }
        }
        return nil
    }

    static func describe(_ info: SF_INFO) -> AudioFileInfo {
        AudioFileInfo(sampleRate: Int(info.samplerate), channels: Int(info.channels), frames: Int(info.frames),
                      container: formatName(Int(info.format) & Int(SF_FORMAT_TYPEMASK), major: true),
                      encoding: formatName(Int(info.format) & Int(SF_FORMAT_SUBMASK), major: false))
    }

    private static func formatName(_ code: Int, major: Bool) -> String {
        if !major {
            let names: [Int: String] = [
                Int(SF_FORMAT_PCM_S8): "PCM_S8", Int(SF_FORMAT_PCM_16): "PCM_16", Int(SF_FORMAT_PCM_24): "PCM_24",
                Int(SF_FORMAT_PCM_32): "PCM_32", Int(SF_FORMAT_PCM_U8): "PCM_U8", Int(SF_FORMAT_FLOAT): "FLOAT",
                Int(SF_FORMAT_DOUBLE): "DOUBLE", Int(SF_FORMAT_ULAW): "ULAW", Int(SF_FORMAT_ALAW): "ALAW",
                Int(SF_FORMAT_IMA_ADPCM): "IMA_ADPCM", Int(SF_FORMAT_MS_ADPCM): "MS_ADPCM", Int(SF_FORMAT_GSM610): "GSM610",
                Int(SF_FORMAT_VORBIS): "VORBIS", Int(SF_FORMAT_OPUS): "OPUS",
                Int(SF_FORMAT_ALAC_16): "ALAC_16", Int(SF_FORMAT_ALAC_20): "ALAC_20", Int(SF_FORMAT_ALAC_24): "ALAC_24", Int(SF_FORMAT_ALAC_32): "ALAC_32",
            ]
            return names[code] ?? String(format: "0x%X", code)
        }
        var formatInfo = SF_FORMAT_INFO()
        formatInfo.format = Int32(code)
        guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &formatInfo, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
              let name = formatInfo.extension ?? formatInfo.name else { return String(format: "0x%X", code) }
        return String(cString: name).uppercased()
    }

}
