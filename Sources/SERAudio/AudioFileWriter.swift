import CSndfile
import Foundation

/// Writes mono samples to a WAV file through libsndfile, block by block (a long recording is never held
/// whole). For test recordings and tools: serlab itself reads audio, it does not produce any.
///
/// `.pcm16` scales by 32768, the inverse of libsndfile's 16-bit read scaling (1/32768), rounds to
/// nearest and clips to [-32768, 32767], so samples read from a 16-bit file are written back exactly
/// (libsndfile's own float-to-16-bit path scales by 32767 and would move them). `.float32` stores the
/// samples as they are.
public final class AudioFileWriter {
    public enum Encoding: Sendable { case pcm16, float32 }

    public let url: URL
    public let sampleRate: Int
    public let encoding: Encoding
    /// Samples written so far.
    public private(set) var sampleCount = 0
    private var handle: OpaquePointer?

    public init(url: URL, sampleRate: Int, encoding: Encoding = .pcm16) throws {
        precondition(sampleRate > 0, "sampleRate must be positive, got \(sampleRate)")
        self.url = url
        self.sampleRate = sampleRate
        self.encoding = encoding
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = 1
        info.format = Int32(SF_FORMAT_WAV) | Int32(encoding == .pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT)
        guard let handle = sf_open(url.path, Int32(SFM_WRITE), &info) else {
            throw AudioError.writeFailed(path: url.path, reason: String(cString: sf_strerror(nil)))
        }
        if encoding == .pcm16 { sf_command(handle, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_FALSE)) }
        self.handle = handle
    }

    deinit {
        if let handle { sf_close(handle) }
    }

    /// Appends `samples` (finite; `.pcm16` expects them in [-1, 1] and clips the rest).
    public func write(_ samples: [Float]) throws {
        guard let handle else { throw AudioError.writeFailed(path: url.path, reason: "written to after close()") }
        let scaled = encoding == .pcm16 ? samples.map { min(32767, max(-32768, ($0 * 32768).rounded())) } : samples
        let written = scaled.withUnsafeBufferPointer { Int(sf_write_float(handle, $0.baseAddress, sf_count_t($0.count))) }
        guard written == samples.count else {
            throw AudioError.writeFailed(path: url.path, reason: "wrote \(written) of \(samples.count) samples: \(String(cString: sf_strerror(handle)))")
        }
        sampleCount += written
    }

    /// Finishes the header and closes the file; later writes throw.
    public func close() throws {
        guard let handle else { return }
        self.handle = nil
        let status = sf_close(handle)
        guard status == 0 else {
            throw AudioError.writeFailed(path: url.path, reason: String(cString: sf_error_number(status)))
        }
    }
}

extension AudioFile {
    /// Writes `clip` to `url` as a mono WAV (see `AudioFileWriter` for the encodings).
    public static func write(_ clip: AudioClip, to url: URL, encoding: AudioFileWriter.Encoding = .pcm16) throws {
        let writer = try AudioFileWriter(url: url, sampleRate: clip.sampleRate, encoding: encoding)
        try writer.write(clip.samples)
        try writer.close()
    }
}
