import Foundation
import Testing
@testable import SERExperiment

@Suite struct MetricsTests {
    @Test func knownConfusionGivesKnownScores() {
        // truth a a a a b b c c c c c c ; predictions chosen by hand.
        let truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2]
        let predicted = [0, 0, 1, 2, 1, 0, 2, 2, 2, 2, 2, 1]
        let m = ClassificationMetrics(truth: truth, predicted: predicted, labels: ["a", "b", "c"])
        #expect(m.confusion == [[2, 1, 1], [1, 1, 0], [0, 1, 5]])
        #expect(abs(m.accuracy - 8.0 / 12) < 1e-12)
        let recalls = [2.0 / 4, 1.0 / 2, 5.0 / 6]
        #expect(abs(m.uar - recalls.reduce(0, +) / 3) < 1e-12)
        #expect(abs(m.perClass[0].precision - 2.0 / 3) < 1e-12)
        #expect(abs(m.perClass[1].precision - 1.0 / 3) < 1e-12)
        #expect(abs(m.perClass[2].precision - 5.0 / 6) < 1e-12)
        let f1a = 2 * (2.0 / 3) * 0.5 / (2.0 / 3 + 0.5)
        #expect(abs(m.perClass[0].f1 - f1a) < 1e-12)
        #expect(m.perClass.map(\.support) == [4, 2, 6])
    }

    @Test func classesAbsentFromTheTruthDoNotCountInUAR() {
        let m = ClassificationMetrics(truth: [0, 0, 1], predicted: [0, 2, 1], labels: ["a", "b", "c"])
        #expect(abs(m.uar - (0.5 + 1) / 2) < 1e-12)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func bootstrapIntervalContainsThePointEstimate(seed: Int) {
        var generator = SeededGenerator(seed: UInt64(seed), stream: "test")
        let truth = (0..<300).map { _ in Int(generator.next() % 4) }
        let predicted = truth.map { generator.nextDouble() < 0.6 ? $0 : Int(generator.next() % 4) }
        let m = ClassificationMetrics(truth: truth, predicted: predicted, labels: ["a", "b", "c", "d"])
        let interval = BootstrapInterval(truth: truth, predicted: predicted, classCount: 4, resamples: 1000, seed: seed)
        #expect(interval.accuracy.contains(m.accuracy), "seed \(seed): \(interval.accuracy) vs \(m.accuracy)")
        #expect(interval.uar.contains(m.uar), "seed \(seed): \(interval.uar) vs \(m.uar)")
        #expect(interval.uar.upperBound - interval.uar.lowerBound > 0.02, "a real interval has width")
        #expect(interval.uar.upperBound - interval.uar.lowerBound < 0.25)
        let again = BootstrapInterval(truth: truth, predicted: predicted, classCount: 4, resamples: 1000, seed: seed)
        #expect(again == interval, "seeded: the same interval every time")
    }

    @Test func meanAndSampleStandardDeviation() {
        let (mean, std) = meanAndStd([1, 2, 3, 4])
        #expect(mean == 2.5)
        #expect(abs(std - 1.2909944487358056) < 1e-12)
        #expect(meanAndStd([0.7]).std == 0)
    }

    @Test func globalNormalizerUsesTrainingStatisticsOnly() {
        let features = [
            FeatureMatrix(frameCount: 2, columnNames: ["x"], values: [0, 2]),
            FeatureMatrix(frameCount: 2, columnNames: ["x"], values: [2, 4]),
            FeatureMatrix(frameCount: 1, columnNames: ["x"], values: [1000]),
        ]
        let normalizer = Normalizer(kind: .global, features: features, speakers: ["a", "a", "b"], fitIndices: [0, 1], allIndices: [0, 1, 2])
        // Training frames 0, 2, 2, 4: mean 2, population std sqrt(2).
        let test = normalizer.apply(features[2], speaker: "b")
        #expect(abs(Double(test.values[0]) - 998 / 2.0.squareRoot()) < 1e-2)
        let train = normalizer.apply(features[0], speaker: "a")
        #expect(abs(Double(train.values[0]) + 2 / 2.0.squareRoot()) < 1e-5)
    }

    @Test func speakerNormalizerCentresEachSpeaker() {
        let features = [
            FeatureMatrix(frameCount: 2, columnNames: ["x"], values: [10, 12]),
            FeatureMatrix(frameCount: 2, columnNames: ["x"], values: [100, 104]),
        ]
        let normalizer = Normalizer(kind: .speaker, features: features, speakers: ["a", "b"], fitIndices: [0], allIndices: [0, 1])
        let a = normalizer.apply(features[0], speaker: "a").values
        let b = normalizer.apply(features[1], speaker: "b").values
        #expect(abs(a[0] + 1) < 1e-5 && abs(a[1] - 1) < 1e-5)
        #expect(abs(b[0] + 1) < 1e-5 && abs(b[1] - 1) < 1e-5)
    }
}

import SERCore
import SERFeatures
