import CFLAC

/// FLAC decoded straight through libFLAC, bypassing libsndfile's per-sample FLAC-to-float copy (about a
/// third of libsndfile's FLAC decode instructions, measured with callgrind on RAVDESS).
///
/// Gives the samples `sf_readf_float` gives, bit for bit: libsndfile scales each integer sample by
/// 2^-(bitsPerSample-1), which is exact in Float for up to 24 bits, and the channels are averaged in the
/// order `AudioFile.downmix` uses (sum from channel 0 up, then times 1/channels).
extension AudioFile {
    /// Mono samples of the FLAC file at `path`, or nil when libFLAC does not decode exactly `frames`
    /// frames of `channels` channels at 8 to 24 bits without an error. The caller then reads the file
    /// through libsndfile, which reports what is wrong (truncated, corrupt) in the usual typed error.
    static func decodeFLACMono(path: String, frames: Int, channels: Int) -> [Float]? {
        guard frames > 0, channels > 0, let decoder = FLAC__stream_decoder_new() else { return nil }
        defer { FLAC__stream_decoder_delete(decoder) }
        FLAC__stream_decoder_set_md5_checking(decoder, 0)
        var samples = [Float](repeating: 0, count: frames)
        let ok: Bool = samples.withUnsafeMutableBufferPointer { output in
            var sink = FLACSink(output: output, channels: channels)
            return withUnsafeMutablePointer(to: &sink) { sinkPointer in
                let status = FLAC__stream_decoder_init_file(decoder, path, flacWrite, nil, flacError, UnsafeMutableRawPointer(sinkPointer))
                guard status == FLAC__STREAM_DECODER_INIT_STATUS_OK else { return false }
                let finished = FLAC__stream_decoder_process_until_end_of_stream(decoder) != 0
                let state = FLAC__stream_decoder_get_state(decoder)
                FLAC__stream_decoder_finish(decoder)
                return finished && state == FLAC__STREAM_DECODER_END_OF_STREAM
                    && !sinkPointer.pointee.failed && sinkPointer.pointee.count == frames
            }
        }
        return ok ? samples : nil
    }
}

/// Where the write callback puts mono samples; `failed` records anything that rules the fast path out.
private struct FLACSink {
    let output: UnsafeMutableBufferPointer<Float>
    let channels: Int
    var count = 0
    var failed = false
}

private let flacWrite: FLAC__StreamDecoderWriteCallback = { _, frame, buffer, client in
    guard let frame, let buffer, let client else { return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT }
    let sink = client.assumingMemoryBound(to: FLACSink.self)
    let header = frame.pointee.header
    let blockSize = Int(header.blocksize)
    let channels = Int(header.channels)
    let bits = Int(header.bits_per_sample)
    guard channels == sink.pointee.channels, (8...24).contains(bits),
          sink.pointee.count + blockSize <= sink.pointee.output.count else {
        sink.pointee.failed = true
        return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
    }
    guard (0..<channels).allSatisfy({ buffer[$0] != nil }) else {
        sink.pointee.failed = true
        return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT
    }
    FLACStream.downmix(blockSize: blockSize, channels: channels, bitsPerSample: bits,
                       into: sink.pointee.output.baseAddress! + sink.pointee.count) { buffer[$0]! }
    sink.pointee.count += blockSize
    return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE
}

private let flacError: FLAC__StreamDecoderErrorCallback = { _, _, client in
    client?.assumingMemoryBound(to: FLACSink.self).pointee.failed = true
}
