import ArgumentParser
import Foundation
import SERAudio
import SERCore
import SERFeatures

/// `serlab bench ...`: throughput measurements outside the test suite.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput (not a test; tools/bench_features.py and tools/bench_net.py compare against librosa and PyTorch).",
        subcommands: [FeaturesBench.self, BenchNet.self, SegmentBench.self]
    )
}

/// Decode + resample + features over a folder of audio, timed in three phases on `--threads` workers:
/// decode + resample alone, features alone (samples in memory), and end to end.
struct FeaturesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Files per second for decode+resample, features alone, and end to end.",
        usage: "serlab bench features <folder> [<options>]",
        discussion: "Example: serlab bench features $SERLAB_CORPORA/ravdess --threads 2 --json"
    )

    @Argument(help: "Folder searched recursively for .wav, .flac, .aif, .aiff files.")
    var folder: String

    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Target sample rate in Hz.") var sampleRate = 16000
    @Option(help: "MFCC coefficients.") var mfccCount = 40
    @Option(help: "FFT size in samples.") var fftLength = 512
    @Option(help: "Hop in samples.") var hopLength = 160
    @Option(help: "Mel bands.") var melBandCount = 64
    @Option(help: "Use only the first N files (sorted by path).") var limit: Int?
    @Option(help: "Timed repetitions of each phase; the fastest is reported.") var repeats = 3
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: "Phases to time: all, decode, decodeNative (no resampling), features (decodes once, untimed, first) or endToEnd.") var phase: Phase = .all

    enum Phase: String, ExpressibleByArgument, CaseIterable { case all, decode, decodeNative, features, endToEnd }

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads: expected at least 1, found \(threads)") }
        guard repeats >= 1 else { throw ValidationError("--repeats: expected at least 1, found \(repeats)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("expected a folder of audio files, found nothing at '\(folder)'")
        }
    }

    func run() throws {
        var files = audioFiles(in: URL(fileURLWithPath: folder))
        if let limit { files = Array(files.prefix(limit)) }
        guard !files.isEmpty else { throw ValidationError("no .wav/.flac/.aif files under '\(folder)'") }
        var spec = FeatureSpec(sampleRate: sampleRate, features: [.mfcc])
        spec.mfccCount = mfccCount
        spec.fftLength = fftLength
        spec.hopLength = hopLength
        spec.melBandCount = melBandCount
        let extractor = try FeatureExtractor(spec: spec)

        // Warm-up: page the files in and touch every code path once.
        _ = extractor.extractFiles(Array(files.prefix(threads * 4)), threads: threads)

        var clips: [[Float]] = []
        var sampleCounts: [Int] = []
        var (decodeSeconds, decodeCPU) = (Double.nan, Double.nan)
        var (nativeSeconds, nativeCPU) = (Double.nan, Double.nan)
        var (featureSeconds, featureCPU) = (Double.nan, Double.nan)
        var (endToEndSeconds, endToEndCPU) = (Double.nan, Double.nan)
        if phase == .all || phase == .decode {
            (decodeSeconds, decodeCPU) = fastest(of: repeats) { sampleCounts = decodeCounts(files) }
        }
        // Decoding alone (native rate, channels averaged): decode+resample minus this is libsoxr's share.
        if phase == .all || phase == .decodeNative {
            (nativeSeconds, nativeCPU) = fastest(of: repeats) { _ = decodeCounts(files, resampling: false) }
        }
        var frames = 0
        if phase == .all || phase == .features {
            clips = decodeAll(files)
            sampleCounts = clips.map(\.count)
            (featureSeconds, featureCPU) = fastest(of: repeats) {
                frames = extractor.extractMany(clips, threads: threads).reduce(0) { $0 + $1.frameCount }
            }
        }
        var failures = 0
        if phase == .all || phase == .endToEnd {
            (endToEndSeconds, endToEndCPU) = fastest(of: repeats) {
                failures = extractor.extractFiles(files, threads: threads).filter { if case .failure = $0 { true } else { false } }.count
            }
        }
        let count = Double(files.count)
        let audioSeconds = Double(sampleCounts.reduce(0, +)) / Double(sampleRate)
        let measured: [String: Double] = [
            "files": count, "frames": Double(frames), "failures": Double(failures), "threads": Double(threads),
            "audioSeconds": audioSeconds,
            "decodeSeconds": decodeSeconds, "featureSeconds": featureSeconds, "endToEndSeconds": endToEndSeconds,
            "decodeFilesPerSecond": count / decodeSeconds, "featureFilesPerSecond": count / featureSeconds,
            "endToEndFilesPerSecond": count / endToEndSeconds, "decodeShare": decodeSeconds / endToEndSeconds,
            "decodeCPUSeconds": decodeCPU, "featureCPUSeconds": featureCPU, "endToEndCPUSeconds": endToEndCPU,
            "decodeShareCPU": decodeCPU / endToEndCPU,
            "decodeNativeSeconds": nativeSeconds, "decodeNativeCPUSeconds": nativeCPU,
        ]
        let result = measured.filter { $0.value.isFinite }  // phases not run are left out
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("serlab features bench: \(files.count) files (\(String(format: "%.0f", audioSeconds)) s of audio), \(threads) threads, spec \(spec.stableHash.prefix(12))")
            for (label, wall, cpu) in [("decode+resample", decodeSeconds, decodeCPU), ("decode (native)", nativeSeconds, nativeCPU),
                                       ("features alone", featureSeconds, featureCPU),
                                       ("end to end", endToEndSeconds, endToEndCPU)] where wall.isFinite {
                print("  " + label.padding(toLength: 16, withPad: " ", startingAt: 0)
                      + String(format: " %8.1f files/s  %6.3f CPU ms per file", count / wall, 1000 * cpu / count))
            }
            if decodeSeconds.isFinite && endToEndSeconds.isFinite {
                print(String(format: "  decode+resample share of end to end: %.0f%% (wall), %.0f%% (CPU)",
                             100 * decodeSeconds / endToEndSeconds, 100 * decodeCPU / endToEndCPU))
            }
            if failures > 0 { print("  \(failures) files failed to decode") }
        }
    }

    /// Every file's samples, kept for the features phase (untimed).
    private func decodeAll(_ files: [URL]) -> [[Float]] {
        decode(files, resampling: true) { $0 }
    }

    /// Timed decoding: each clip is dropped as soon as it is decoded, as librosa's workers drop theirs,
    /// so the time holds no page faults for keeping every clip of the corpus. Returns the sample counts.
    private func decodeCounts(_ files: [URL], resampling: Bool = true) -> [Int] {
        decode(files, resampling: resampling) { $0.count }
    }

    private func decode<Value: Sendable>(_ files: [URL], resampling: Bool, _ keep: @escaping @Sendable ([Float]) -> Value) -> [Value] {
        let rate: Int? = resampling ? sampleRate : nil
        return parallelMap(count: files.count, threads: threads, progress: nil) {
            keep((try? AudioFile.read(files[$0], sampleRate: rate).samples) ?? [])
        }
    }

    /// Fastest wall-clock time of `repeats` runs, and the process CPU time (user + system, all threads)
    /// of that run: on a shared machine CPU time is the steadier measure of work done.
    private func fastest(of repeats: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
        var best = (wall: Double.infinity, cpu: Double.infinity)
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = processCPUSeconds()
            body()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = processCPUSeconds() - cpuStart
            if wall < best.wall { best = (wall, cpu) }
        }
        return best
    }

    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    private func audioFiles(in folder: URL) -> [URL] {
        let extensions: Set<String> = ["wav", "flac", "aif", "aiff"]
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { extensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
    }
}
