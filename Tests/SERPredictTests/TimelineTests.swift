import Foundation
import SERCore
import SERExperiment
import SERFeatures
import SERNet
import SERTestSupport
import Testing
@testable import SERPredict

/// A bundle trained on the TESS subset (392 clips, 7 emotions): MFCC mean and std, an MLP; it learns its
/// own training clips (near) perfectly, so a timeline of those clips tests the segmenting, not the model.
enum TESSBundle {
    static let rows: [(path: String, emotion: String)] = {
        let text = (try? String(contentsOf: TestSupport.corporaRoot.appendingPathComponent("expected/tess.csv"), encoding: .utf8)) ?? ""
        return CSV.parse(text).dropFirst().filter { $0.count > 2 }.map { ("tess/" + $0[0], $0[2]) }
    }()

    static var spec: FeatureSpec {
        var spec = FeatureSpec()
        spec.sampleRate = 16000
        spec.level = .utterance
        spec.features = [.mfcc]
        spec.mfccCount = 40
        spec.melBandCount = 64
        spec.fftLength = 512
        spec.hopLength = 160
        spec.functionals = [.mean, .std]
        return spec
    }

    /// Trained once per test process: 60 epochs of Adam on every clip (no held-out part: the test asks
    /// whether segments come back as the clips they are, which the model knows).
    static func make() throws -> ModelBundle {
        _ = try TestSupport.corpus("tess")
        let labels = Array(Set(rows.map(\.emotion))).sorted()
        let extractor = try FeatureExtractor(spec: spec)
        let urls = rows.map { TestSupport.corporaRoot.appendingPathComponent($0.path) }
        let features = try extractor.extractFiles(urls, threads: 2).map { try $0.get() }
        let all = Array(features.indices)
        let normalizer = Normalizer(kind: .global, features: features, speakers: features.map { _ in "" }, fitIndices: all, allIndices: all)
        let model = try Model(spec: try JSONDecoder().decode(ModelSpec.self, from: Data(#"{"type": "mlp", "hiddenSizes": [128]}"#.utf8)),
                              inputSize: features[0].columnCount, classCount: labels.count, seed: 1)
        model.labels = labels
        let data = SequenceDataset(featureCount: model.inputSize, sequences: features.map { normalizer.apply($0, speaker: "").values },
                                   labels: rows.map { labels.firstIndex(of: $0.emotion)! })
        var options = TrainingOptions()
        options.epochs = 60
        options.patience = nil
        options.seed = 1
        _ = try Trainer(model: model).fit(train: data, validation: nil, options: options)
        return ModelBundle(members: [BundleMember(model: model, normalizer: normalizer)], labels: labels, featureSpec: spec,
                           input: InputConfig(), normalization: .global, resolvedConfig: .object([]),
                           dataFingerprint: String(repeating: "0", count: 64), provenance: "TimelineTests: every TESS subset clip")
    }
}

@Suite("Timelines of long recordings", .realCorpora)
struct TimelineTests {
    /// Two clips per emotion, one per speaker, each word once per speaker, emotions interleaved; all at
    /// TESS's 24414 Hz (OAF_food_fear, the subset's 96 kHz file, is left out).
    static let clips: [(path: String, emotion: String)] = [
        ("OAF_angry/OAF_back_angry.flac", "angry"), ("YAF_sad/YAF_germ_sad.flac", "sad"),
        ("OAF_happy/OAF_germ_happy.flac", "happy"), ("YAF_fear/YAF_door_fear.flac", "fear"),
        ("OAF_neutral/OAF_check_neutral.flac", "neutral"), ("YAF_disgust/YAF_check_disgust.flac", "disgust"),
        ("OAF_Pleasant_surprise/OAF_door_ps.flac", "surprise"), ("YAF_angry/YAF_bite_angry.flac", "angry"),
        ("OAF_Sad/OAF_bite_sad.flac", "sad"), ("YAF_happy/YAF_back_happy.flac", "happy"),
        ("OAF_Fear/OAF_death_fear.flac", "fear"), ("YAF_neutral/YAF_cab_neutral.flac", "neutral"),
        ("OAF_disgust/OAF_cab_disgust.flac", "disgust"), ("YAF_pleasant_surprised/YAF_death_ps.flac", "surprise"),
    ].map { ("tess/TESS Toronto emotional speech set data/" + $0.0, $0.1) }

    @Test func concatenatedUtterancesComeBackWithTheirBoundariesAndEmotions() throws {
        let bundle = try TESSBundle.make()
        let predictor = try Predictor(bundle: bundle)
        let directory = TestSupport.temporaryDirectory("serpredict-timeline")
        defer { try? FileManager.default.removeItem(at: directory) }
        let recording = try ConcatenatedRecording.build(Self.clips, gaps: [1.0, 1.5, 2.0], noiseDBFS: -60,
                                                        to: directory.appendingPathComponent("tess-long.wav"))
        // Whole clips first: the model knows them.
        let wholeClips = predictor.predict(urls: Self.clips.map { TestSupport.corporaRoot.appendingPathComponent($0.path) })
        let clipsRight = zip(wholeClips, Self.clips).filter { (try? $0.0.get().label) == $0.1.emotion }.count

        let timeline = try predictor.timeline(of: recording.url, blockDuration: 1.3)
        #expect(abs(timeline.duration - recording.duration) < 1e-3)
        #expect(timeline.envelopeMinimum.count == 2000 && timeline.envelopeMaximum.count == 2000)
        // Every segment lies on exactly one clip: none in the noise between clips, none joining two.
        for segment in timeline.segments {
            let on = recording.clips.filter { segment.end > $0.start && segment.start < $0.end }
            #expect(on.count == 1, "segment \(segment.start)-\(segment.end) s lies on \(on.map(\.name))")
        }
        // Each clip's segments: those overlapping it. A pause of 0.3 s or more inside a clip (the detector's
        // minimumSilenceDuration) splits it: TESS's sad "say the word bite" has one before "bite".
        let loudest = recording.clips.map(\.peakDB).max()!
        var report: [String] = []
        var clipsLabelledRight = 0, piecesRight = 0
        for clip in recording.clips {
            let pieces = timeline.segments.filter { $0.end > clip.start && $0.start < clip.end }
            guard let first = pieces.first, let last = pieces.last else {
                Issue.record("\(clip.name): no segment")
                continue
            }
            // The detector widens speech by its padding (0.1 s) on both sides. Starts come back within
            // 0.1 s; ends within 0.1 s for clips within 10 dB of the recording's loudest, while quieter
            // clips lose their fading ends (below the loudest - 40 dB threshold) and may end early.
            let startError = first.start - (clip.speechStart - 0.1), endError = last.end - (clip.speechEnd + 0.1)
            #expect(abs(startError) <= 0.1, "\(clip.name): starts \(startError) s off")
            #expect(endError <= 0.1 && endError >= (clip.peakDB >= loudest - 10 ? -0.1 : -0.4), "\(clip.name): ends \(endError) s off")
            let right = pieces.filter { $0.prediction.label == clip.emotion }.count
            piecesRight += right
            if right == pieces.count { clipsLabelledRight += 1 }
            report.append(String(format: "%@ %@ %.1f dB: %d segment(s), start %+.3f end %+.3f -> %@", (clip.name as NSString).lastPathComponent,
                                 clip.emotion, clip.peakDB, pieces.count, startError, endError,
                                 pieces.map(\.prediction.label).joined(separator: " + ")))
        }
        print("TimelineTests: \(timeline.segments.count) segments for \(recording.clips.count) clips; whole clips right "
              + "\(clipsRight)/\(Self.clips.count), clips whose segments are all right \(clipsLabelledRight)/\(recording.clips.count), "
              + "segments right \(piecesRight)/\(timeline.segments.count)\n  " + report.joined(separator: "\n  "))
        #expect(clipsRight == Self.clips.count)
        // Measured: 15 segments (OAF_bite_sad in two: "say the word" predicted sad, "bite" alone disgust),
        // 14 of 15 segments right, 13 of 14 clips with every segment right.
        #expect(timeline.segments.count <= recording.clips.count + 1)
        #expect(piecesRight >= 14)
        #expect(clipsLabelledRight >= 13)
    }
}
