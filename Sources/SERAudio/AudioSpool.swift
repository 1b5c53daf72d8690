import Foundation

/// How raw (headerless) samples are laid out: mono, little-endian, one of these sample types.
public enum RawSampleFormat: String, CaseIterable, Sendable, Equatable {
    /// 16-bit signed integers (read as value / 32768, as a 16-bit WAV is).
    case s16le
    /// 32-bit signed integers (value / 2^31).
    case s32le
    /// 32-bit IEEE floats, full scale at +-1.
    case f32le

    public var bytesPerSample: Int { self == .s16le ? 2 : 4 }
}

/// Raw samples' rate and layout (mono).
public struct RawAudioFormat: Sendable, Equatable {
    public var sampleRate: Int
    public var sample: RawSampleFormat

    public init(sampleRate: Int, sample: RawSampleFormat) {
        self.sampleRate = sampleRate
        self.sample = sample
    }
}

/// Why an audio stream (a pipe, standard input) could not be spooled. Every case names the stream.
public enum AudioSpoolError: LocalizedError, Equatable {
    case empty(name: String)
    case unrecognised(name: String, firstBytes: [UInt8])
    case headerWithRawFormat(name: String, container: String)
    case partialSample(name: String, bytes: Int, format: RawSampleFormat)
    case tooLong(name: String, bytes: Int)
    case readFailed(name: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .empty(let name):
            return "\(name): expected audio, found no bytes"
        case .unrecognised(let name, let bytes):
            let hex = bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
            let text = String(bytes.map { (0x20..<0x7f).contains($0) ? Character(UnicodeScalar($0)) : "." })
            return "\(name): expected a WAV, AIFF, FLAC or OGG stream (starting with RIFF, RF64, FORM, fLaC or OggS), or raw "
                + "samples announced with a raw rate and sample format, found bytes \(hex) (\"\(text)\")"
        case .headerWithRawFormat(let name, let container):
            return "\(name): raw samples were announced, but the stream starts with a \(container) header; "
                + "leave out the raw rate and format to read it as \(container)"
        case .partialSample(let name, let bytes, let format):
            return "\(name): expected whole \(format.bytesPerSample)-byte \(format.rawValue) samples, found \(bytes) bytes"
        case .tooLong(let name, let bytes):
            return "\(name): expected at most \(AudioSpool.maximumBytes) bytes of audio (a WAV file's limit), found \(bytes) or more"
        case .readFailed(let name, let reason):
            return "\(name): could not be read: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write the spooled audio: \(reason)"
        }
    }
}

/// Copies an audio stream that can be read only once (standard input, a pipe) into a WAV file, so that it
/// can be read like any file (`AudioFile.read`, or `AudioStream` twice for segmenting) in bounded memory:
/// it moves 64 KiB at a time, never the whole stream.
///
/// - A stream that starts with a container's magic bytes (`RIFF` or `RF64` WAV, `FORM` AIFF, `fLaC`,
///   `OggS`) is copied byte for byte, and libsndfile reads it as it reads such a file. A WAV writer that
///   cannot seek back (ffmpeg or sox writing to a pipe) leaves the length fields at a placeholder: when
///   the last chunk of a `RIFF` stream, `data`, announces 0 bytes or more than 0x7FFF0000 (the
///   placeholders in use), the copy's RIFF and `data` lengths are set to the bytes that came. Any other
///   length is kept, so a cut WAV stream is still reported as truncated when it is read.
/// - Raw samples (`raw` given) get a WAV header in front (PCM for the integer formats, IEEE float for
///   `f32le`) and are copied as they are: the samples read back are the ones sent.
public enum AudioSpool {
    /// The most a spooled file may hold: WAV's 32-bit RIFF length minus its header.
    public static let maximumBytes = Int(UInt32.max) - 64
    static let chunkBytes = 1 << 16

    /// The magic bytes of the containers a stream may come in, and their names.
    static let containers: [(magic: String, name: String)] = [("RIFF", "WAV"), ("RF64", "WAV"), ("FORM", "AIFF"), ("fLaC", "FLAC"), ("OggS", "OGG")]

    /// Reads `input` to its end into a new audio file at `url` (WAV for raw samples; `raw` nil: the
    /// stream must be in one of `containers`). `name` is how errors call the stream.
    public static func spool(from input: FileHandle, to url: URL, raw: RawAudioFormat?, name: String = "standard input") throws {
        var first = try read(input, name: name)
        guard !first.isEmpty else { throw AudioSpoolError.empty(name: name) }
        // A short read from a pipe can stop inside the magic number: gather at least 4 bytes first.
        while first.count < 4 {
            let more = try read(input, name: name)
            if more.isEmpty { break }
            first += more
        }
        let container = Self.containers.first { first.starts(with: Array($0.magic.utf8)) }
        if let container, raw != nil { throw AudioSpoolError.headerWithRawFormat(name: name, container: container.name) }
        if container == nil && raw == nil { throw AudioSpoolError.unrecognised(name: name, firstBytes: Array(first.prefix(8))) }

        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let output = FileHandle(forUpdatingAtPath: url.path) else {
            throw AudioSpoolError.writeFailed(path: url.path, reason: "cannot create the file")
        }
        defer { try? output.close() }
        func write(_ bytes: Data) throws {
            do { try output.write(contentsOf: bytes) } catch { throw AudioSpoolError.writeFailed(path: url.path, reason: "\(error)") }
        }
        let headerBytes = raw == nil ? 0 : 44
        if let raw { try write(Data(wavHeader(raw, dataBytes: 0))) }
        var payload = 0
        var chunk = first
        while !chunk.isEmpty {
            payload += chunk.count
            guard payload + headerBytes <= maximumBytes else { throw AudioSpoolError.tooLong(name: name, bytes: payload) }
            try write(chunk)
            chunk = try read(input, name: name)
        }
        if let raw {
            guard payload % raw.sample.bytesPerSample == 0 else {
                throw AudioSpoolError.partialSample(name: name, bytes: payload, format: raw.sample)
            }
            try patch(output, at: 0, bytes: wavHeader(raw, dataBytes: payload), path: url.path)
        } else if container?.magic == "RIFF" {
            let head: Data  // the chunks before the samples, at most 64 KiB
            do {
                try output.seek(toOffset: 0)
                head = try output.read(upToCount: 1 << 16) ?? Data()
            } catch {
                throw AudioSpoolError.writeFailed(path: url.path, reason: "cannot read back the header: \(error)")
            }
            for (offset, value) in placeholderLengthFixes(header: Array(head), fileBytes: payload) {
                try patch(output, at: offset, bytes: littleEndian(value), path: url.path)
            }
        }
    }

    private static func read(_ input: FileHandle, name: String) throws -> Data {
        do { return try input.read(upToCount: chunkBytes) ?? Data() } catch {
            throw AudioSpoolError.readFailed(name: name, reason: "\(error)")
        }
    }

    private static func patch(_ output: FileHandle, at offset: Int, bytes: [UInt8], path: String) throws {
        do {
            try output.seek(toOffset: UInt64(offset))
            try output.write(contentsOf: Data(bytes))
        } catch {
            throw AudioSpoolError.writeFailed(path: path, reason: "\(error)")
        }
    }

    /// A 44-byte canonical WAV header for `dataBytes` of raw samples.
    static func wavHeader(_ raw: RawAudioFormat, dataBytes: Int) -> [UInt8] {
        let bytes = raw.sample.bytesPerSample
        var header = Array("RIFF".utf8) + littleEndian(UInt32(36 + dataBytes)) + Array("WAVEfmt ".utf8)
        header += littleEndian(UInt32(16))
        header += littleEndian(UInt16(raw.sample == .f32le ? 3 : 1))  // WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM
        header += littleEndian(UInt16(1))  // mono
        header += littleEndian(UInt32(raw.sampleRate)) + littleEndian(UInt32(raw.sampleRate * bytes))
        header += littleEndian(UInt16(bytes)) + littleEndian(UInt16(bytes * 8))
        return header + Array("data".utf8) + littleEndian(UInt32(dataBytes))
    }

    /// The (offset, value) writes that replace a streaming writer's placeholder lengths in a WAV of
    /// `fileBytes` bytes whose first bytes are `header`: the RIFF length and the last chunk's (`data`)
    /// length, when that chunk announces 0 or more than 0x7FFF0000 bytes. Empty when nothing is to fix.
    static func placeholderLengthFixes(header: [UInt8], fileBytes: Int) -> [(Int, UInt32)] {
        var offset = 12
        while offset + 8 <= header.count {
            let id = String(decoding: header[offset..<offset + 4], as: UTF8.self)
            let length = Int(header[offset + 4]) | Int(header[offset + 5]) << 8 | Int(header[offset + 6]) << 16 | Int(header[offset + 7]) << 24
            let body = offset + 8
            if id == "data" {
                guard length == 0 || length > 0x7FFF_0000 else { return [] }
                let present = fileBytes - body
                return [(4, UInt32(fileBytes - 8)), (offset + 4, UInt32(present))]
            }
            offset = body + length + length % 2
        }
        return []
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
