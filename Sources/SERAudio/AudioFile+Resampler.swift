import CSoxr
import Synchronization

/// libsoxr resamplers kept per (source rate, target rate) and reused across files: `soxr_oneshot`
/// designs its HQ filter on every call (about 0.09 ms, a tenth of a RAVDESS file's resampling).
/// A reused resampler is reset with `soxr_clear` (same filter, fresh state) and fed the clip in chunks
/// of `resampleChunk` samples, the last flagged as the end of input (`~count`, as `soxr_oneshot` does).
/// libsoxr cuts its input into blocks of its own, whatever the chunks, so the output equals the
/// one-shot output bit for bit (tested); the chunks keep its input queue small: fed whole, it grew a
/// queue as large as the clip for every file (copied out of cache, page-faulted in, about 10% of a
/// RAVDESS file's decode time).
///
/// Each resampler is checked out of the pool for one signal (a clip, or a whole `AudioStream`), so threads
/// never share one; the pool's lock is taken twice per file, never per sample.
extension AudioFile {
    /// Input samples handed to libsoxr per call.
    static let resampleChunk = 16_384

    /// Resamples `input` into `output` with a pooled HQ resampler; returns the count written.
    static func pooledResample(_ input: UnsafeBufferPointer<Float>, from source: Int, to target: Int,
                               into output: UnsafeMutableBufferPointer<Float>) throws -> Int {
        try PooledResampler(from: source, to: target).process(input, isLast: true, into: output).written
    }

    /// The one-shot path `pooledResample` replaces, kept to prove the two agree bit for bit (tests).
    static func oneShotResample(_ input: UnsafeBufferPointer<Float>, from source: Int, to target: Int,
                                into output: UnsafeMutableBufferPointer<Float>) throws -> Int {
        var done = 0
        var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var qualitySpec = soxr_quality_spec(UInt(SOXR_HQ), 0)
        if let error = soxr_oneshot(Double(source), Double(target), 1, input.baseAddress, input.count, nil,
                                    output.baseAddress, output.count, &done, &ioSpec, &qualitySpec, nil) {
            throw AudioError.resampleFailed(path: "<memory>", reason: String(cString: error))
        }
        return done
    }
}

/// One pooled libsoxr resampler checked out for one signal, fed in as many calls as the caller likes
/// (a whole clip at once, or the blocks of a stream); checked back in when released.
final class PooledResampler {
    private let key: RatePair
    private let handle: ResamplerHandle

    init(from source: Int, to target: Int) throws {
        key = RatePair(source: source, target: target)
        handle = try ResamplerPool.shared.checkOut(key)
        soxr_clear(handle.pointer)
    }

    deinit { ResamplerPool.shared.checkIn(handle, key) }

    /// Feeds `input` in chunks of `AudioFile.resampleChunk`, the last flagged as the end of the signal when
    /// `isLast` (libsoxr then flushes its filter). Stops when the input is consumed (and, when `isLast`,
    /// the flush written as far as `output` holds) or `output` is full; the caller feeds the rest of the
    /// input again. Returns the input samples consumed and the output samples written.
    func process(_ input: UnsafeBufferPointer<Float>, isLast: Bool,
                 into output: UnsafeMutableBufferPointer<Float>) throws -> (consumed: Int, written: Int) {
        // An empty non-final input must not reach libsoxr: a null input pointer means "flush".
        if input.isEmpty && !isLast { return (0, 0) }
        var consumed = 0, written = 0
        while true {
            let chunk = min(AudioFile.resampleChunk, input.count - consumed)
            let isLastChunk = isLast && consumed + chunk == input.count
            var used = 0, done = 0
            if let error = soxr_process(handle.pointer, input.baseAddress.map { $0 + consumed }, isLastChunk ? ~chunk : chunk, &used,
                                        output.baseAddress.map { $0 + written }, output.count - written, &done) {
                throw AudioError.resampleFailed(path: "<memory>", reason: String(cString: error))
            }
            consumed += used
            written += done
            if consumed == input.count && (used == chunk || !isLast) { break }
            // libsoxr takes less than offered only when the output is full: nothing more fits.
            if used == 0 && done == 0 { break }
        }
        return (consumed, written)
    }
}

struct RatePair: Hashable, Sendable {
    var source: Int
    var target: Int
}

/// A libsoxr handle owned by exactly one thread between check-out and check-in.
struct ResamplerHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

final class ResamplerPool: Sendable {
    static let shared = ResamplerPool()
    private let idle = Mutex<[RatePair: [ResamplerHandle]]>([:])

    func checkOut(_ key: RatePair) throws -> ResamplerHandle {
        if let handle = idle.withLock({ $0[key]?.popLast() }) { return handle }
        var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var qualitySpec = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var error: soxr_error_t?
        let pointer = soxr_create(Double(key.source), Double(key.target), 1, &error, &ioSpec, &qualitySpec, nil)
        if let error {
            if let pointer { soxr_delete(pointer) }
            throw AudioError.resampleFailed(path: "<memory>", reason: String(cString: error))
        }
        guard let pointer else {
            throw AudioError.resampleFailed(path: "<memory>", reason: "soxr_create returned no resampler for \(key.source) -> \(key.target) Hz")
        }
        return ResamplerHandle(pointer: pointer)
    }

    func checkIn(_ handle: ResamplerHandle, _ key: RatePair) {
        idle.withLock { $0[key, default: []].append(handle) }
    }
}
