import ArgumentParser
import Foundation
import SERAudio
import SERCore
import SERFeatures

/// `serlab bench segment FILE`: streams a long recording through the voice-activity detector and prints
/// the time and the process's peak resident memory next to the recording's decoded size (`--whole` reads
/// it whole instead, for comparison). `--assemble-from FOLDER` first writes FILE from the folder's clips
/// with noise between them, in a separate run so that its memory is not counted.
struct SegmentBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Peak memory and time of streaming + segmenting one long recording.",
        usage: "serlab bench segment <file> [<options>]",
        discussion: """
        Examples:
          serlab bench segment /tmp/long.wav --assemble-from $SERLAB_CORPORA/ravdess
          serlab bench segment /tmp/long.wav
        """
    )

    @Argument(help: "The recording to segment (written first with --assemble-from).")
    var file: String

    @Option(help: "Rate the recording is read at, Hz.") var sampleRate = 16000
    @Option(help: "Seconds of the file decoded per block.") var blockDuration = 4.0
    @Flag(help: "Read the whole recording into memory first (AudioFile.read) instead of streaming it.") var whole = false
    @Option(help: "Write FILE from the clips under this folder (sorted by path, 1.5 s of -60 dBFS noise between clips) and stop.")
    var assembleFrom: String?
    @Option(help: "Length of the recording --assemble-from writes, minutes.") var minutes = 10.0

    func validate() throws {
        guard blockDuration > 0 else { throw ValidationError("--block-duration: expected more than 0 s, found \(blockDuration)") }
        guard minutes > 0 else { throw ValidationError("--minutes: expected more than 0, found \(minutes)") }
        guard sampleRate > 0 else { throw ValidationError("--sample-rate: expected a positive rate, found \(sampleRate)") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: file)
        if let assembleFrom {
            try assemble(from: URL(fileURLWithPath: assembleFrom), to: url)
            return
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var detector = try VoiceActivityDetector(sampleRate: sampleRate)
        let info = try AudioFile.info(url)
        if whole {
            detector.append(try AudioFile.read(url, sampleRate: sampleRate).samples)
        } else {
            try AudioStream(url: url, sampleRate: sampleRate, blockDuration: blockDuration).forEachBlock { detector.append($0) }
        }
        let segments = detector.finish()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let mb = { (bytes: Double) in String(format: "%.1f MB", bytes / 1e6) }
        print(String(format: "%@: %.1f s of audio, %d Hz, %d channel(s), %@", url.lastPathComponent, info.duration, info.sampleRate, info.channels, info.encoding))
        print("  decoded size: \(mb(Double(info.frames * info.channels * 4))) as float at \(info.sampleRate) Hz (\(mb(Double(info.frames * 4))) mono), "
              + "\(mb(Double(detector.sampleCount * 4))) mono at \(sampleRate) Hz")
        print(String(format: "  %@: %d segments in %.2f s (%.0fx real time), %d frame levels kept",
                     whole ? "whole read" : "streamed in \(blockDuration) s blocks", segments.count, seconds, info.duration / seconds,
                     detector.frameLevels.count))
        print("  peak resident memory of this process: \(mb(Double(peakResidentBytes())))")
    }

    /// ru_maxrss, which Linux reports in kilobytes.
    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    private func assemble(from folder: URL, to url: URL) throws {
        let files = FeaturesCommand.audioFiles(under: folder)
        guard !files.isEmpty else { throw ValidationError("--assemble-from: no audio files under '\(folder.path)'") }
        var generator = SeededGenerator(seed: 11, stream: "bench-segment-gaps")
        let amplitude = Float(pow(10, -60.0 / 20) * 3.0.squareRoot())  // uniform noise of -60 dBFS RMS
        var writer: AudioFileWriter?
        var clips = 0
        for file in files {
            let clip = try AudioFile.read(file, sampleRate: writer?.sampleRate)
            let out = try writer ?? AudioFileWriter(url: url, sampleRate: clip.sampleRate)
            writer = out
            try out.write((0..<(out.sampleRate * 3 / 2)).map { _ in Float.random(in: -amplitude...amplitude, using: &generator) })
            try out.write(clip.samples)
            clips += 1
            if Double(out.sampleCount) >= minutes * 60 * Double(out.sampleRate) { break }
        }
        guard let writer else { return }
        let duration = Double(writer.sampleCount) / Double(writer.sampleRate)
        try writer.close()
        print(String(format: "wrote %@: %d clips, %.1f s at %d Hz, 16-bit", url.path, clips, duration, writer.sampleRate))
    }
}
