import Foundation
import Testing
@testable import SERClassic

/// LIBSVM through the shim on small problems whose answers are known.
@Suite struct SVMTests {
    /// Three well separated clusters in 2-D (class c around (4c, -4c)), `perClass` points each, from a fixed LCG.
    static func clusters(perClass: Int, seed: UInt64) -> (vectors: [[Double]], labels: [Int]) {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var vectors: [[Double]] = [], labels: [Int] = []
        for index in 0..<(3 * perClass) {
            let label = index % 3
            vectors.append([4 * Double(label) + uniform(), -4 * Double(label) + uniform()])
            labels.append(label)
        }
        return (vectors, labels)
    }

    @Test(arguments: [SVMKernel.linear, .rbf, .poly])
    func separatesSeparableClustersWithProbabilities(kernel: SVMKernel) throws {
        let train = Self.clusters(perClass: 20, seed: 1), test = Self.clusters(perClass: 10, seed: 2)
        let svm = try SVMClassifier(vectors: train.vectors, labels: train.labels, classCount: 3,
                                    parameters: SVMParameters(kernel: kernel, cost: 10, gamma: 0.5), seed: 7)
        #expect(try svm.predictClasses(test.vectors) == test.labels)
        let probabilities = try svm.predictProbabilities(test.vectors)
        for (row, label) in zip(probabilities, test.labels) {
            #expect(row.count == 3 && abs(row.reduce(0, +) - 1) < 1e-9, "\(row)")
            #expect(row.indices.max { row[$0] < row[$1] } == label, "\(row) for class \(label)")
        }
        #expect(try svm.modelText().contains("kernel_type \(kernel.rawValue == "poly" ? "polynomial" : kernel.rawValue)"))
    }

    /// The probability fit draws from rand(): the same seed gives the same bits, and a class missing
    /// from the training data gets probability 0 in its column.
    @Test func sameSeedSameProbabilities() throws {
        var data = Self.clusters(perClass: 15, seed: 3)
        // Overlap the classes a little so Platt scaling has something to fit.
        data.vectors = data.vectors.enumerated().map { $0.offset % 7 == 0 ? [$0.element[0] + 3, $0.element[1] - 3] : $0.element }
        let parameters = SVMParameters(kernel: .rbf, cost: 1, gamma: 0.3)
        func probabilities(seed: UInt32, classCount: Int = 3) throws -> [[Double]] {
            try SVMClassifier(vectors: data.vectors, labels: data.labels, classCount: classCount, parameters: parameters, seed: seed)
                .predictProbabilities(data.vectors)
        }
        let first = try probabilities(seed: 11), again = try probabilities(seed: 11)
        #expect(first == again)
        let wider = try probabilities(seed: 11, classCount: 4)
        #expect(wider.allSatisfy { $0.count == 4 && $0[3] == 0 })
    }

    @Test func balancedWeightsAndScaleGammaFollowScikitLearn() {
        #expect(SVMGridSearch.balancedWeights([0, 0, 0, 1], classCount: 3) == [4.0 / 6, 2, 1])
        let vectors = [[1.0, 3.0], [5.0, 7.0]]
        #expect(SVMGridSearch.variance(of: vectors) == 5)
        #expect(SVMGamma.scale.resolved(featureCount: 2, variance: 5) == 0.1)
        #expect(SVMGamma.value(0.25).resolved(featureCount: 2, variance: 5) == 0.25)
    }

    /// The grid's winner is the pair with the best validation UAR: a tiny gamma underfits rings that a
    /// moderate one separates, whatever order the grid lists them in.
    @Test func gridSearchKeepsTheBestValidationPair() throws {
        func rings(_ count: Int, offset: Double) -> ([[Double]], [Int]) {
            var vectors: [[Double]] = [], labels: [Int] = []
            for index in 0..<count {
                let angle = Double(index) * 2.399 + offset, label = index % 2
                let radius = label == 0 ? 1.0 : 3.0
                vectors.append([radius * cos(angle), radius * sin(angle)])
                labels.append(label)
            }
            return (vectors, labels)
        }
        let train = rings(60, offset: 0), validation = rings(30, offset: 0.5)
        var spec = SVMSpec()
        spec.kernel = .rbf
        spec.cost = [1]
        spec.gamma = [.value(1e-4), .value(1)]
        let fit = try SVMGridSearch.fit(spec, train: train.0, trainLabels: train.1, validation: validation.0, validationLabels: validation.1,
                                        classCount: 2, balanced: false, seed: 1)
        #expect(fit.grid.count == 2)
        #expect(fit.chosen.gamma == 1 && fit.chosen.validationUAR == 1, "\(fit.grid)")
        #expect(fit.grid[0].validationUAR < 1)
    }

    /// Pairs tied at the best validation UAR are told apart by validation log loss (each gets one, the
    /// others none), and the kept pair is the one with the lowest, not the grid's first.
    @Test func validationTiesAreBrokenByLogLoss() throws {
        let train = SVMTests.clusters(perClass: 20, seed: 3), validation = SVMTests.clusters(perClass: 10, seed: 4)
        var spec = SVMSpec()
        spec.kernel = .rbf
        spec.cost = [0.001, 1, 100]
        spec.gamma = [.value(0.5)]
        let fit = try SVMGridSearch.fit(spec, train: train.vectors, trainLabels: train.labels, validation: validation.vectors,
                                        validationLabels: validation.labels, classCount: 3, balanced: false, seed: 1)
        let tied = fit.grid.filter { $0.validationUAR == 1 }
        try #require(tied.count >= 2, "the clusters should tie several pairs at UAR 1: \(fit.grid)")
        #expect(tied.allSatisfy { $0.validationLogLoss != nil })
        #expect(fit.grid.filter { $0.validationUAR < 1 }.allSatisfy { $0.validationLogLoss == nil })
        let lowest = tied.compactMap(\.validationLogLoss).min()!
        #expect(fit.chosen.validationLogLoss == lowest, "\(fit.grid)")
        #expect(SVMGridSearch.logLoss(truth: [0, 1], probabilities: [[0.5, 0.5], [0, 1]]) == -log(0.5) / 2)
    }

    @Test func specErrorsNameTheField() throws {
        func decode(_ json: String) throws -> SVMSpec {
            let spec = try JSONDecoder().decode(SVMSpec.self, from: Data(json.utf8))
            try spec.validate(path: "model")
            return spec
        }
        #expect(throws: SVMSpecError(path: "model.cost", expected: "values > 0", found: "0.0")) { try decode(#"{"type": "svm", "cost": [0]}"#) }
        #expect(throws: SVMSpecError(path: "model.gamma", expected: "\"scale\" or numbers > 0", found: "-1.0")) {
            try decode(#"{"type": "svm", "gamma": ["scale", -1]}"#)
        }
        #expect(throws: DecodingError.self) { try decode(#"{"type": "svm", "kernal": "rbf"}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"type": "svm", "gamma": ["auto"]}"#) }
        let spec = try decode(#"{"type": "svm", "kernel": "linear", "cost": [1, 10], "gamma": ["scale", 0.1]}"#)
        #expect(spec.grid.count == 2, "the linear kernel has no gamma to search")
    }
}
