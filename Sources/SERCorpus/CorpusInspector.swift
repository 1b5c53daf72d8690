import Foundation
import SERAudio
import SERCore

/// Reads every file of a corpus in parallel: header, bytes (SHA-256) and samples (peak, full-scale count).
public enum CorpusInspector {
    /// - Parameters:
    ///   - decode: read the samples (peak, clipping, truncation); headers and hashes are always read.
    ///   - threads: concurrent files; defaults to the active processor count.
    public static func inspect(_ corpus: Corpus, decode: Bool = true, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> CorpusReport {
        let utterances = corpus.utterances
        let files = parallelMap(count: utterances.count, threads: max(1, threads), progress: nil) { check(utterances[$0], decode: decode) }
        return CorpusReport(corpus: corpus, files: files)
    }

    static func check(_ utterance: Utterance, decode: Bool) -> FileCheck {
        var check = FileCheck(path: utterance.path, info: nil, problem: nil, sha256: nil, peak: 0, fullScaleSamples: 0)
        check.sha256 = try? SERCore.SHA256.hexDigest(ofFile: utterance.url)
        do {
            check.info = try AudioFile.info(utterance.url)
            if decode {
                let clip = try AudioFile.read(utterance.url)
                var peak: Float = 0
                var fullScale = 0
                clip.samples.withUnsafeBufferPointer { samples in
                    for sample in samples {
                        let magnitude = abs(sample)
                        peak = max(peak, magnitude)
                        if magnitude >= CorpusReport.fullScale { fullScale += 1 }
                    }
                }
                check.peak = peak
                check.fullScaleSamples = fullScale
            }
        } catch {
            check.problem = error.localizedDescription
        }
        return check
    }
}
