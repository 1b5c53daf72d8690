import CSndfile
import Foundation

/// An audio file read block by block at a chosen rate, in memory bounded by the block size whatever the
/// file's length: the blocks, concatenated, are `AudioFile.read(url, sampleRate:)`'s samples bit for bit
/// (tested on corpus files of every rate and channel count, and on a long synthetic file).
///
/// How: libsndfile decodes `blockDuration` seconds of frames at a time (`sf_readf_float`; FLAC too,
/// whose integers libsndfile scales exactly as serlab's FLAC decoders do), the channels are averaged as
/// `AudioFile.downmix` does, and one pooled libsoxr HQ resampler, held for the whole stream, is fed each
/// block (libsoxr's output does not depend on how its input is cut) and flushed after the last. The
/// output is cut or zero-padded to `ceil(frames x target / source)` samples, as `AudioFile.resample`
/// does. Memory: a block of interleaved frames, its mono copy and its resampled copy (about 1 MB for
/// 4 s of 48 kHz stereo), plus libsoxr's filter state.
///
/// Errors are `AudioError`s naming the file, as `AudioFile.read` throws them, except that the checks
/// that need the samples come when the stream reaches them: a truncated file or a NaN sample throws
/// from the `nextBlock()` that reads it, after the blocks before it were returned (a whole read would
/// return none).
public final class AudioStream {
    public let url: URL
    /// The file's header: its own rate, channels and frames.
    public let info: AudioFileInfo
    /// The rate of the samples this stream returns.
    public let sampleRate: Int
    /// How many samples the stream returns in all (the length of `AudioFile.read(url, sampleRate:)`).
    public let sampleCount: Int
    /// Source frames decoded per block.
    public let blockFrames: Int

    private var handle: OpaquePointer?
    private let resampler: PooledResampler?
    private var decodedFrames = 0
    private var returnedSamples = 0
    private var interleaved: [Float]
    private var resampled: [Float] = []

    /// Opens `url` (checks as `AudioFile.read` does: missing, not audio, cut data chunk, empty) to be read
    /// at `sampleRate` (the file's own rate when nil) in blocks of `blockDuration` seconds of the file.
    public init(url: URL, sampleRate: Int? = nil, blockDuration: Double = 4) throws {
        precondition(blockDuration > 0, "blockDuration must be positive, got \(blockDuration)")
        precondition((sampleRate ?? 1) > 0, "sampleRate must be positive, got \(String(describing: sampleRate))")
        let (handle, sfInfo) = try AudioFile.open(url)
        self.url = url
        self.handle = handle
        info = AudioFile.describe(sfInfo)
        guard info.frames > 0 else {
            sf_close(handle)
            self.handle = nil
            throw AudioError.empty(path: url.path)
        }
        let target = sampleRate ?? info.sampleRate
        self.sampleRate = target
        blockFrames = max(1, Int((blockDuration * Double(info.sampleRate)).rounded()))
        interleaved = [Float](repeating: 0, count: min(blockFrames, info.frames) * info.channels)
        if target == info.sampleRate {
            resampler = nil
            sampleCount = info.frames
        } else {
            do {
                resampler = try PooledResampler(from: info.sampleRate, to: target)
            } catch {
                sf_close(handle)
                self.handle = nil
                throw AudioError.resampleFailed(path: url.path, reason: "\(error)")
            }
            sampleCount = Int((Double(info.frames) * Double(target) / Double(info.sampleRate)).rounded(.up))
        }
    }

    deinit {
        if let handle { sf_close(handle) }
    }

    /// The next block of mono samples at `sampleRate`, or nil after the last. Blocks are about
    /// `blockFrames x sampleRate / info.sampleRate` samples long; with resampling the first is shorter
    /// (libsoxr's filter delay) and the last longer (its flush).
    public func nextBlock() throws -> [Float]? {
        while returnedSamples < sampleCount {
            guard let handle else { return nil }
            let frames = min(blockFrames, info.frames - decodedFrames)
            let read = interleaved.withUnsafeMutableBufferPointer { Int(sf_readf_float(handle, $0.baseAddress, sf_count_t(frames))) }
            guard read == frames else {
                close()
                throw AudioError.truncated(path: url.path, expectedFrames: info.frames, readFrames: decodedFrames + read)
            }
            let mono = AudioFile.downmix(Array(interleaved.prefix(frames * info.channels)), channels: info.channels)
            if let bad = mono.firstIndex(where: { !$0.isFinite }) {
                close()
                throw AudioError.nonFinite(path: url.path, index: decodedFrames + bad)
            }
            decodedFrames += frames
            let isLast = decodedFrames == info.frames
            if isLast { close() }
            let block = try resample(mono, isLast: isLast)
            returnedSamples += block.count
            if !block.isEmpty { return block }
        }
        close()
        return nil
    }

    /// Calls `body` with every remaining block in order.
    public func forEachBlock(_ body: ([Float]) throws -> Void) throws {
        while let block = try nextBlock() { try body(block) }
    }

    private func close() {
        if let handle { sf_close(handle) }
        handle = nil
    }

    /// `mono` through the stream's resampler (flushed when `isLast`), cut to what the stream still owes
    /// and, after the last block, zero-padded up to `sampleCount`.
    private func resample(_ mono: [Float], isLast: Bool) throws -> [Float] {
        let owed = sampleCount - returnedSamples
        guard let resampler else { return mono }
        let ratio = Double(sampleRate) / Double(info.sampleRate)
        var output: [Float] = []
        output.reserveCapacity(min(owed, Int((Double(mono.count) * ratio).rounded(.up)) + 64))
        let capacity = Int((Double(blockFrames) * ratio).rounded(.up)) + 1024
        if resampled.count < capacity { resampled = [Float](repeating: 0, count: capacity) }
        var offset = 0
        // Input left over (only when the output buffer filled) is fed again; an emptied input after the
        // last block keeps flushing until libsoxr has nothing more or the stream owes nothing more.
        while output.count < owed {
            let (consumed, written) = try mono.withUnsafeBufferPointer { input in
                try resampled.withUnsafeMutableBufferPointer { out in
                    try resampler.process(UnsafeBufferPointer(rebasing: input[offset...]), isLast: isLast, into: out)
                }
            }
            guard consumed > 0 || written > 0 || offset == mono.count else {
                throw AudioError.resampleFailed(path: url.path, reason: "libsoxr took no input and gave no output")
            }
            offset += consumed
            output.append(contentsOf: resampled.prefix(min(written, owed - output.count)))
            if offset == mono.count && (!isLast || written == 0) { break }
        }
        if isLast && output.count < owed { output.append(contentsOf: repeatElement(0, count: owed - output.count)) }
        return output
    }
}
