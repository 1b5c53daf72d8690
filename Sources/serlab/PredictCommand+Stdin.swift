import ArgumentParser
import Foundation
import SERAudio

/// `serlab predict --stdin`: standard input copied to a temporary WAV file (`AudioSpool`), predicted as a
/// file named `-`.
extension PredictCommand {
    func validateStandardInputOptions() throws {
        guard stdin else {
            if rawRate != nil || rawFormat != nil { throw ValidationError("--raw-rate and --raw-format: need --stdin (they describe standard input)") }
            return
        }
        switch (rawRate, rawFormat) {
        case (nil, nil): break
        case (let rate?, let format?):
            guard rate > 0 else { throw ValidationError("--raw-rate: expected a positive rate in Hz, found \(rate)") }
            guard RawSampleFormat(rawValue: format) != nil else {
                throw ValidationError("--raw-format: expected one of \(RawSampleFormat.allCases.map(\.rawValue).joined(separator: ", ")), found '\(format)'")
            }
        case (nil, _?): throw ValidationError("--raw-format: needs --raw-rate (raw samples carry no rate)")
        case (_?, nil): throw ValidationError("--raw-rate: needs --raw-format (s16le, s32le or f32le: raw samples carry no format)")
        }
    }

    /// The raw layout announced on the command line, nil for a WAV stream.
    var rawAudioFormat: RawAudioFormat? {
        guard let rawRate, let format = rawFormat.flatMap(RawSampleFormat.init(rawValue:)) else { return nil }
        return RawAudioFormat(sampleRate: rawRate, sample: format)
    }
}

/// Standard input, read to its end into a WAV file in a fresh temporary folder (removed by `remove()`).
struct StandardInputSpool {
    /// How outputs and errors name standard input.
    static let name = "-"
    let folder: URL
    let url: URL

    init(raw: RawAudioFormat?) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("serlab-stdin-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        url = folder.appendingPathComponent("stdin.wav")
        do {
            try AudioSpool.spool(from: FileHandle.standardInput, to: url, raw: raw, name: "standard input")
        } catch {
            remove()
            throw error
        }
    }

    /// An error message about the spooled file, naming standard input instead of the temporary file.
    func relabel(_ message: String) -> String {
        message.replacingOccurrences(of: url.path, with: Self.name)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
