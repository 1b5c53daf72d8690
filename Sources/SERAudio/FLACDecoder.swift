import Foundation

/// A FLAC decoder in Swift for the streams a corpus holds (1 to 8 channels, 8 to 24 bits, fixed or
/// variable block size), giving the mono samples `AudioFile.decodeFLACMono` (libFLAC) gives, bit for
/// bit: FLAC is lossless, so every correct decoder yields the same integers, and the integer-to-float
/// scaling and channel averaging are the same operations in the same order.
///
/// Why: libFLAC 1.4.2 (Debian) spent about 1.2 ms of a RAVDESS file's 2.3 ms decode+resample in its
/// 32-bit-word bit reader (Rice residuals about 60%, LPC restore about 20%, perf). This reader loads
/// 64-bit big-endian windows and decodes a Rice value with one leading-zero count and two shifts.
///
/// Every frame's CRC-8 (header) and CRC-16 (whole frame) are checked. Anything else than a clean,
/// complete stream (a CRC mismatch, lost sync, a reserved code, a negative LPC shift, more or fewer
/// frames than announced, an ID3 tag before `fLaC`) returns nil: the caller then decodes the file the
/// slow way (libFLAC, then libsndfile), which behaves as librosa's reader does on such files.
enum FLACDecoder {
    /// Mono samples of the FLAC file at `path` (channels averaged), or nil (see the type's comment).
    /// `frames` and `channels` are libsndfile's view of the header; both must match the stream.
    static func decodeMono(path: String, frames: Int, channels: Int) -> [Float]? {
        guard frames > 0, channels > 0, let decoded = decodeMono(path: path), decoded.samples.count == frames,
              decoded.channels == channels else { return nil }
        return decoded.samples
    }

    /// Mono samples, sample rate and channel count of a FLAC file whose STREAMINFO announces its length,
    /// without libsndfile; nil for anything else (not FLAC, unreadable, damaged, unknown length).
    static func decodeMono(path: String) -> (samples: [Float], sampleRate: Int, channels: Int)? {
        guard let bytes = readPadded(path: path, prefix: [0x66, 0x4C, 0x61, 0x43]) else { return nil }  // "fLaC"
        return bytes.withUnsafeBufferPointer { buffer in
            var stream = FLACStream(bytes: buffer.baseAddress!, count: buffer.count - FLACStream.padding)
            return stream.decodeMono()
        }
    }

    /// The file's bytes followed by `FLACStream.padding` zero bytes (so 8-byte loads near the end stay
    /// inside the array), or nil when it cannot be read whole or does not start with `prefix` (checked
    /// on the first bytes before the rest is read).
    static func readPadded(path: String, prefix: [UInt8] = []) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > prefix.count else { return nil }
        if !prefix.isEmpty {
            // Checked before the whole file is allocated and read: most files read here are not FLAC.
            var head = [UInt8](repeating: 0, count: prefix.count)
            guard pread(descriptor, &head, prefix.count, 0) == prefix.count, head == prefix else { return nil }
        }
        let size = Int(status.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size + FLACStream.padding) { buffer, initialized in
            var done = 0
            while done < size {
                let got = read(descriptor, buffer.baseAddress! + done, size - done)
                if got <= 0 { break }
                done += got
            }
            complete = done == size
            for index in done..<(size + FLACStream.padding) { buffer[index] = 0 }
            initialized = size + FLACStream.padding
        }
        return complete ? bytes : nil
    }
}

/// One pass over a FLAC file in memory. Bit positions count from the start of `bytes`.
struct FLACStream {
    /// Zero bytes the caller appends after the data: the bit reader loads 8 bytes at a time.
    static let padding = 16

    let bytes: UnsafePointer<UInt8>
    let count: Int
    /// Reads stop (and decoding fails) past this bit.
    let limit: Int
    var position = 0

    init(bytes: UnsafePointer<UInt8>, count: Int) {
        self.bytes = bytes
        self.count = count
        limit = 8 * count
    }

    // MARK: bits

    /// 64 bits from `position` on, left-aligned (at least 57 of them from the data or the padding).
    @inline(__always)
    func window() -> UInt64 { window(at: position) }

    @inline(__always)
    func window(at bit: Int) -> UInt64 {
        let word = UInt64(bigEndian: UnsafeRawPointer(bytes + (bit >> 3)).loadUnaligned(as: UInt64.self))
        return word &<< UInt64(bit & 7)
    }

    /// The next `n` bits (0...32) as an unsigned value.
    @inline(__always)
    mutating func bits(_ n: Int) -> UInt32 {
        let value = UInt32(truncatingIfNeeded: (window() &>> UInt64(63 - n)) &>> 1)
        position += n
        return value
    }

    /// The next `n` bits (1...32) as a two's-complement signed value.
    @inline(__always)
    mutating func signedBits(_ n: Int) -> Int32 {
        let value = Int64(bitPattern: window()) &>> Int64(64 - n)
        position += n
        return Int32(truncatingIfNeeded: value)
    }

    /// Zeros up to the next 1 bit (consumed); nil when that runs past the data.
    @inline(__always)
    mutating func unary() -> Int? {
        var zeros = 0
        while true {
            let w = window()
            if w != 0 {
                let run = w.leadingZeroBitCount
                position += run + 1
                return position <= limit ? zeros + run : nil
            }
            zeros += 57
            position += 57
            if position > limit { return nil }
        }
    }

    // MARK: stream

    mutating func decodeMono() -> (samples: [Float], sampleRate: Int, channels: Int)? {
        guard count >= 42, bytes[0] == 0x66, bytes[1] == 0x4C, bytes[2] == 0x61, bytes[3] == 0x43 else { return nil }  // "fLaC"
        // Metadata blocks: STREAMINFO first, the rest skipped.
        var offset = 4
        var streamBits = 0, channels = 0, frames = 0, maxBlockSize = 0, sampleRate = 0
        while true {
            guard offset + 4 <= count else { return nil }
            let header = bytes[offset]
            let length = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if header & 0x7F == 0 {
                guard length >= 34, offset + 4 + 34 <= count else { return nil }
                position = 8 * (offset + 4)
                _ = bits(16)  // min block size
                maxBlockSize = Int(bits(16))
                _ = bits(24); _ = bits(24)  // frame sizes
                sampleRate = Int(bits(20))
                channels = Int(bits(3)) + 1
                streamBits = Int(bits(5)) + 1
                frames = Int(bits(4)) << 32 | Int(bits(32))
            } else if header & 0x7F == 127 {
                return nil
            }
            offset += 4 + length
            if header & 0x80 != 0 { break }
        }
        guard channels >= 1, (8...24).contains(streamBits), maxBlockSize >= 16, sampleRate > 0, frames > 0 else { return nil }

        // Every slot is written below (or the result is dropped): no zero fill.
        var output = [Float](unsafeUninitializedCapacity: frames) { _, initialized in initialized = frames }
        // A frame whose LPC subframes wait in the batch keeps its work slot until the batch is restored;
        // a batch holds at most `LPCBatch.lanes` subframes, so that many slots suffice.
        let slotSize = channels * maxBlockSize
        let work = UnsafeMutablePointer<Int32>.allocate(capacity: LPCBatch.lanes * slotSize)
        var batch = LPCBatch(maxBlockSize: maxBlockSize)
        defer {
            work.deallocate()
            batch.deallocate()
        }
        var pending: [PendingFrame] = []
        var decoded = 0
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            func finish(_ frame: PendingFrame) {
                Self.decorrelate(frame.work, channelStride: maxBlockSize, blockSize: frame.blockSize, assignment: frame.assignment)
                Self.downmix(blockSize: frame.blockSize, channels: channels, bitsPerSample: streamBits,
                             into: out.baseAddress! + frame.outputOffset) { UnsafePointer(frame.work + $0 * maxBlockSize) }
            }
            func flush() -> Bool {
                guard batch.restore() else { return false }
                pending.forEach(finish)
                pending.removeAll(keepingCapacity: true)
                return true
            }
            while decoded < frames {
                if batch.count + channels > LPCBatch.lanes { guard flush() else { return false } }
                let slot = work + pending.count * slotSize
                let queuedBefore = batch.count
                guard let (blockSize, assignment) = decodeFrame(at: offset, channels: channels, bitsPerSample: streamBits,
                                                                maxBlockSize: maxBlockSize, into: slot, batch: &batch),
                      decoded + blockSize <= frames else { return false }
                let frame = PendingFrame(work: slot, blockSize: blockSize, assignment: assignment, outputOffset: decoded)
                if batch.count > queuedBefore { pending.append(frame) } else { finish(frame) }
                decoded += blockSize
                offset = position >> 3
            }
            return flush()
        }
        return ok ? (output, sampleRate, channels) : nil
    }

    /// A decoded frame whose channels are complete once the LPC batch is restored.
    struct PendingFrame {
        var work: UnsafeMutablePointer<Int32>
        var blockSize: Int
        var assignment: Int
        var outputOffset: Int
    }

    /// Left/side, side/right and mid/side channels back to left and right, in place.
    static func decorrelate(_ work: UnsafeMutablePointer<Int32>, channelStride: Int, blockSize: Int, assignment: Int) {
        let first = work, second = work + channelStride
        switch assignment {
        case 8:  // left, side: right = left - side
            for i in 0..<blockSize { second[i] = first[i] &- second[i] }
        case 9:  // side, right: left = side + right
            for i in 0..<blockSize { first[i] = first[i] &+ second[i] }
        case 10:  // mid, side
            for i in 0..<blockSize {
                let side = second[i]
                let mid = (first[i] &<< 1) | (side & 1)
                first[i] = (mid &+ side) >> 1
                second[i] = (mid &- side) >> 1
            }
        default: break
        }
    }

    /// Integers to float as libsndfile's FLAC reader does (times 2^-(bits-1), exact up to 24 bits), then
    /// channels averaged in `AudioFile.downmix`'s order (sum from channel 0 up, then times 1/channels), so the
    /// result is bit-identical to libsndfile's floats downmixed. `channel(c)` is channel c's first sample of
    /// the block. Shared by this decoder and the libFLAC path.
    static func downmix(blockSize: Int, channels: Int, bitsPerSample: Int, into out: UnsafeMutablePointer<Float>,
                        channel: (Int) -> UnsafePointer<Int32>) {
        let norm = 1 / Float(1 << (bitsPerSample - 1))
        let first = channel(0)
        if channels == 1 {
            for index in 0..<blockSize { out[index] = Float(first[index]) * norm }
        } else if channels == 2 {
            let second = channel(1)
            for index in 0..<blockSize {
                var sum: Float = 0
                sum += Float(first[index]) * norm
                sum += Float(second[index]) * norm
                out[index] = sum * 0.5
            }
        } else {
            let scale = 1 / Float(channels)
            let bases = (0..<channels).map(channel)
            for index in 0..<blockSize {
                var sum: Float = 0
                for base in bases { sum += Float(base[index]) * norm }
                out[index] = sum * scale
            }
        }
    }

    // MARK: frames

    /// Decodes the frame starting at byte `start` into `work` (channel c at `c * maxBlockSize`), leaves
    /// `position` after its CRC-16, returns its block size and channel assignment; nil on anything
    /// unexpected. LPC subframes that `LPCBatch` accepts are left in `batch` (restored into `work` when
    /// it is), and the channels are not yet decorrelated (`decorrelate`).
    private mutating func decodeFrame(at start: Int, channels: Int, bitsPerSample: Int, maxBlockSize: Int,
                                      into work: UnsafeMutablePointer<Int32>, batch: inout LPCBatch) -> (Int, Int)? {
        // A header is at most 16 bytes; reading them may run into the zero padding for a short last frame,
        // the CRC-8 position check below keeps the header itself inside the data.
        guard start + 4 <= count, bytes[start] == 0xFF, bytes[start + 1] & 0xFE == 0xF8 else { return nil }
        let blockCode = Int(bytes[start + 2] >> 4), rateCode = Int(bytes[start + 2] & 0x0F)
        let assignment = Int(bytes[start + 3] >> 4), sizeCode = Int(bytes[start + 3] >> 1) & 7
        guard bytes[start + 3] & 1 == 0, rateCode != 15, sizeCode != 3, assignment <= 10 else { return nil }
        let codedSize: Int
        switch sizeCode {
        case 1: codedSize = 8
        case 2: codedSize = 12
        case 4: codedSize = 16
        case 5: codedSize = 20
        case 6: codedSize = 24
        default: codedSize = bitsPerSample  // 0: the stream's; 7 (32 bits) is ruled out by the 24-bit limit
        }
        guard codedSize == bitsPerSample, sizeCode != 7 else { return nil }
        let frameChannels = assignment < 8 ? assignment + 1 : 2
        guard frameChannels == channels else { return nil }
        // Frame or sample number, UTF-8 style: the lead byte's leading ones give the length.
        var cursor = start + 4
        let lead = bytes[cursor]
        let extra = lead < 0x80 ? 0 : lead.leadingZeroBitCount == 0 ? (~lead).leadingZeroBitCount - 1 : -1
        guard extra >= 0 && extra <= 6 && !(lead >= 0x80 && lead < 0xC0) else { return nil }
        for index in 1...max(1, extra) where extra > 0 {
            guard bytes[cursor + index] & 0xC0 == 0x80 else { return nil }
        }
        cursor += 1 + extra
        var blockSize: Int
        switch blockCode {
        case 0: return nil
        case 1: blockSize = 192
        case 2...5: blockSize = 576 << (blockCode - 2)
        case 6: blockSize = Int(bytes[cursor]) + 1; cursor += 1
        case 7: blockSize = (Int(bytes[cursor]) << 8 | Int(bytes[cursor + 1])) + 1; cursor += 2
        default: blockSize = 256 << (blockCode - 8)
        }
        switch rateCode {
        case 12: cursor += 1
        case 13, 14: cursor += 2
        default: break
        }
        guard blockSize <= maxBlockSize, cursor < count,
              FLACCRC.crc8(bytes + start, count: cursor - start) == bytes[cursor] else { return nil }
        position = 8 * (cursor + 1)

        for channel in 0..<channels {
            let isSide = (assignment == 8 && channel == 1) || (assignment == 9 && channel == 0) || (assignment == 10 && channel == 1)
            guard decodeSubframe(bitsPerSample: bitsPerSample + (isSide ? 1 : 0), blockSize: blockSize,
                                 into: work + channel * maxBlockSize, batch: &batch) else { return nil }
        }
        position = (position + 7) & ~7
        let end = position >> 3
        guard end + 2 <= count else { return nil }
        let stored = UInt16(bytes[end]) << 8 | UInt16(bytes[end + 1])
        guard FLACCRC.crc16(bytes + start, count: end - start) == stored else { return nil }
        position += 16
        return (blockSize, assignment)
    }

    /// One subframe into `samples`, or (an LPC subframe the batch accepts) into `batch`, which restores it
    /// into `samples` later.
    private mutating func decodeSubframe(bitsPerSample: Int, blockSize: Int, into samples: UnsafeMutablePointer<Int32>,
                                         batch: inout LPCBatch) -> Bool {
        guard position + 8 <= limit, bits(1) == 0 else { return false }
        let type = Int(bits(6))
        var wasted = 0
        if bits(1) == 1 {
            guard let zeros = unary() else { return false }
            wasted = zeros + 1
        }
        let width = bitsPerSample - wasted
        guard width >= 1 else { return false }
        switch type {
        case 0:
            let value = signedBits(width)
            for i in 0..<blockSize { samples[i] = value }
        case 1:
            for i in 0..<blockSize {
                samples[i] = signedBits(width)
                if position > limit { return false }
            }
        case 8...12:
            let order = type - 8
            guard order <= blockSize else { return false }
            for i in 0..<order { samples[i] = signedBits(width) }
            guard residual(order: order, blockSize: blockSize, into: samples, stride: 1) else { return false }
            Self.restoreFixed(samples, order: order, blockSize: blockSize)
        case 32...63:
            let order = type - 31
            guard order <= blockSize else { return false }
            // Warm-up samples come before the coefficients, which decide where they go: both wait on the stack.
            let outcome = withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * LPCBatch.maxOrder) { scratch -> Bool? in
                let warmup = scratch.baseAddress!, coefficients = scratch.baseAddress! + LPCBatch.maxOrder
                for i in 0..<order { warmup[i] = Int(signedBits(width)) }
                let precision = Int(bits(4)) + 1
                guard precision <= 15 else { return nil }
                let shift = Int(signedBits(5))
                guard shift >= 0 else { return nil }
                var absoluteSum = 0
                for j in 0..<order {
                    coefficients[j] = Int(signedBits(precision))
                    absoluteSum += abs(coefficients[j])
                }
                guard position <= limit else { return nil }
                if LPCBatch.accepts(absoluteCoefficientSum: absoluteSum, width: width) {
                    let column = batch.nextColumn
                    for i in 0..<order { column[i &* LPCBatch.lanes] = Int32(truncatingIfNeeded: warmup[i]) }
                    guard residual(order: order, blockSize: blockSize, into: column, stride: LPCBatch.lanes) else { return nil }
                    batch.append(order: order, shift: shift, coefficients: coefficients, width: width, blockSize: blockSize,
                                 wasted: wasted, destination: samples)
                    return true
                }
                for i in 0..<order { samples[i] = Int32(truncatingIfNeeded: warmup[i]) }
                guard residual(order: order, blockSize: blockSize, into: samples, stride: 1) else { return nil }
                Self.restoreLPC(samples, coefficients: coefficients, order: order, shift: shift, blockSize: blockSize)
                return false
            }
            guard let deferred = outcome else { return false }
            if deferred { return position <= limit }  // the batch applies the wasted bits
        default:
            return false
        }
        if wasted > 0 {
            for i in 0..<blockSize { samples[i] = samples[i] &<< Int32(wasted) }
        }
        return position <= limit
    }

    // MARK: prediction

    private static func restoreFixed(_ s: UnsafeMutablePointer<Int32>, order: Int, blockSize: Int) {
        guard order > 0 else { return }
        var i = order
        switch order {
        case 1:
            while i < blockSize { s[i] = s[i] &+ s[i - 1]; i += 1 }
        case 2:
            while i < blockSize { s[i] = s[i] &+ 2 &* s[i - 1] &- s[i - 2]; i += 1 }
        case 3:
            while i < blockSize { s[i] = s[i] &+ 3 &* s[i - 1] &- 3 &* s[i - 2] &+ s[i - 3]; i += 1 }
        default:
            while i < blockSize { s[i] = s[i] &+ 4 &* s[i - 1] &- 6 &* s[i - 2] &+ 4 &* s[i - 3] &- s[i - 4]; i += 1 }
        }
    }

    /// `s[i] += (sum_j c_j s[i-1-j]) >> shift`, summed in 64 bits (exact for every valid stream, as
    /// libFLAC's 32- or 64-bit choice is). Orders 1...12 (all that FLAC's presets use) keep the history
    /// in registers, each its own unrolled copy (generated): a loop over the taps through memory was
    /// vectorised by LLVM into 64-bit multiply emulation and horizontal sums, 3x slower than scalar.
    static func restoreLPC(_ s: UnsafeMutablePointer<Int32>, coefficients c: UnsafePointer<Int>, order: Int,
                                   shift: Int, blockSize: Int) {
        var i = order
        switch order {
        case 1:
            let c0 = c[0]
            var h0 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0) &>> shift)
                s[i] = value
                h0 = Int(value)
                i += 1
            }
        case 2:
            let c0 = c[0], c1 = c[1]
            var h0 = Int(s[1]), h1 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1) &>> shift)
                s[i] = value
                h1 = h0; h0 = Int(value)
                i += 1
            }
        case 3:
            let c0 = c[0], c1 = c[1], c2 = c[2]
            var h0 = Int(s[2]), h1 = Int(s[1]), h2 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2) &>> shift)
                s[i] = value
                h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 4:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3]
            var h0 = Int(s[3]), h1 = Int(s[2]), h2 = Int(s[1]), h3 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3) &>> shift)
                s[i] = value
                h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 5:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4]
            var h0 = Int(s[4]), h1 = Int(s[3]), h2 = Int(s[2]), h3 = Int(s[1]), h4 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4) &>> shift)
                s[i] = value
                h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 6:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5]
            var h0 = Int(s[5]), h1 = Int(s[4]), h2 = Int(s[3]), h3 = Int(s[2]), h4 = Int(s[1]), h5 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5) &>> shift)
                s[i] = value
                h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 7:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6]
            var h0 = Int(s[6]), h1 = Int(s[5]), h2 = Int(s[4]), h3 = Int(s[3]), h4 = Int(s[2]), h5 = Int(s[1]), h6 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5 &+ c6 &* h6) &>> shift)
                s[i] = value
                h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 8:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7]
            var h0 = Int(s[7]), h1 = Int(s[6]), h2 = Int(s[5]), h3 = Int(s[4]), h4 = Int(s[3]), h5 = Int(s[2]), h6 = Int(s[1]), h7 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5 &+ c6 &* h6 &+ c7 &* h7) &>> shift)
                s[i] = value
                h7 = h6; h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 9:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7], c8 = c[8]
            var h0 = Int(s[8]), h1 = Int(s[7]), h2 = Int(s[6]), h3 = Int(s[5]), h4 = Int(s[4]), h5 = Int(s[3]), h6 = Int(s[2]), h7 = Int(s[1]), h8 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5 &+ c6 &* h6 &+ c7 &* h7 &+ c8 &* h8) &>> shift)
                s[i] = value
                h8 = h7; h7 = h6; h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 10:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7], c8 = c[8], c9 = c[9]
            var h0 = Int(s[9]), h1 = Int(s[8]), h2 = Int(s[7]), h3 = Int(s[6]), h4 = Int(s[5]), h5 = Int(s[4]), h6 = Int(s[3]), h7 = Int(s[2]), h8 = Int(s[1]), h9 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5 &+ c6 &* h6 &+ c7 &* h7 &+ c8 &* h8 &+ c9 &* h9) &>> shift)
                s[i] = value
                h9 = h8; h8 = h7; h7 = h6; h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 11:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7], c8 = c[8], c9 = c[9], c10 = c[10]
            var h0 = Int(s[10]), h1 = Int(s[9]), h2 = Int(s[8]), h3 = Int(s[7]), h4 = Int(s[6]), h5 = Int(s[5]), h6 = Int(s[4]), h7 = Int(s[3]), h8 = Int(s[2]), h9 = Int(s[1]), h10 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5 &+ c6 &* h6 &+ c7 &* h7 &+ c8 &* h8 &+ c9 &* h9 &+ c10 &* h10) &>> shift)
                s[i] = value
                h10 = h9; h9 = h8; h8 = h7; h7 = h6; h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        case 12:
            let c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], c6 = c[6], c7 = c[7], c8 = c[8], c9 = c[9], c10 = c[10], c11 = c[11]
            var h0 = Int(s[11]), h1 = Int(s[10]), h2 = Int(s[9]), h3 = Int(s[8]), h4 = Int(s[7]), h5 = Int(s[6]), h6 = Int(s[5]), h7 = Int(s[4]), h8 = Int(s[3]), h9 = Int(s[2]), h10 = Int(s[1]), h11 = Int(s[0])
            while i < blockSize {
                let value = s[i] &+ Int32(truncatingIfNeeded: (c0 &* h0 &+ c1 &* h1 &+ c2 &* h2 &+ c3 &* h3 &+ c4 &* h4 &+ c5 &* h5 &+ c6 &* h6 &+ c7 &* h7 &+ c8 &* h8 &+ c9 &* h9 &+ c10 &* h10 &+ c11 &* h11) &>> shift)
                s[i] = value
                h11 = h10; h10 = h9; h9 = h8; h8 = h7; h7 = h6; h6 = h5; h5 = h4; h4 = h3; h3 = h2; h2 = h1; h1 = h0; h0 = Int(value)
                i += 1
            }
        default:
            while i < blockSize {
                var sum = 0
                for j in 0..<order { sum &+= c[j] &* Int(s[i - 1 - j]) }
                s[i] = s[i] &+ Int32(truncatingIfNeeded: sum &>> shift)
                i += 1
            }
        }
    }
}

/// FLAC's frame checksums: CRC-8 (polynomial 0x07) over the header, CRC-16 (0x8005) over the frame,
/// both MSB first with zero initial value. CRC-16 runs eight bytes per step (slice-by-8 tables).
enum FLACCRC {
    static let table8: [UInt8] = (0..<256).map { byte in
        var crc = UInt8(byte)
        for _ in 0..<8 { crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x07 : crc << 1 }
        return crc
    }

    /// `tables16[k * 256 + b]`: the CRC-16 of byte b followed by k zero bytes.
    static let tables16: [UInt16] = {
        var tables = [UInt16](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x8005 : crc << 1 }
            tables[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = (previous << 8) ^ tables[Int(previous >> 8)]
            }
        }
        return tables
    }()

    static func crc8(_ data: UnsafePointer<UInt8>, count: Int) -> UInt8 {
        table8.withUnsafeBufferPointer { table in
            var crc: UInt8 = 0
            for index in 0..<count { crc = table[Int(crc ^ data[index])] }
            return crc
        }
    }

    static func crc16(_ data: UnsafePointer<UInt8>, count: Int) -> UInt16 {
        tables16.withUnsafeBufferPointer { t in
            var crc: UInt16 = 0
            var index = 0
            while index + 8 <= count {
                let b0 = data[index] ^ UInt8(crc >> 8), b1 = data[index + 1] ^ UInt8(crc & 0xFF)
                crc = t[7 * 256 + Int(b0)] ^ t[6 * 256 + Int(b1)] ^ t[5 * 256 + Int(data[index + 2])]
                    ^ t[4 * 256 + Int(data[index + 3])] ^ t[3 * 256 + Int(data[index + 4])]
                    ^ t[2 * 256 + Int(data[index + 5])] ^ t[256 + Int(data[index + 6])] ^ t[Int(data[index + 7])]
                index += 8
            }
            while index < count {
                crc = (crc << 8) ^ t[Int(UInt8(crc >> 8) ^ data[index])]
                index += 1
            }
            return crc
        }
    }
}
