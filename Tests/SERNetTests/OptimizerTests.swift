import Foundation
import Testing
@testable import SERNet

@Suite("Optimizers, clipping and schedules")
struct OptimizerTests {
    func parameter(_ values: [Float], gradient: [Float]) -> Parameter {
        let p = Parameter(name: "p", shape: [values.count], value: values)
        p.gradient = gradient
        return p
    }

    @Test func sgdWithMomentumAndWeightDecay() {
        let p = parameter([1, -2], gradient: [0.5, 0.25])
        let optimizer = Optimizer(kind: .sgd, weightDecay: 0.1, momentum: 0.9)
        optimizer.step([p], learningRate: 0.1)
        // v = g + wd p = (0.6, 0.05); p -= 0.1 v
        #expect(abs(p.value[0] - 0.94) < 1e-6 && abs(p.value[1] - -2.005) < 1e-6)
        optimizer.step([p], learningRate: 0.1)
        // v = 0.9 v + g + wd p
        let v0 = 0.9 * 0.6 + 0.5 + 0.1 * 0.94
        #expect(abs(Double(p.value[0]) - (0.94 - 0.1 * v0)) < 1e-6)
    }

    @Test func adamFirstStepMovesByTheLearningRate() {
        // With bias correction, Adam's first step is lr * g / (|g| + eps) = lr * sign(g).
        let p = parameter([1, -2, 3], gradient: [0.5, -4, 1e-3])
        Optimizer(kind: .adam).step([p], learningRate: 0.01)
        #expect(abs(p.value[0] - 0.99) < 1e-6)
        #expect(abs(p.value[1] - -1.99) < 1e-6)
        #expect(abs(p.value[2] - 2.99) < 1e-5)
    }

    @Test func adamWDecouplesWeightDecay() {
        let adamW = parameter([2], gradient: [0])
        Optimizer(kind: .adamW, weightDecay: 0.5).step([adamW], learningRate: 0.1)
        #expect(abs(adamW.value[0] - 2 * (1 - 0.1 * 0.5)) < 1e-6)   // zero gradient: only the decay moves it
        let adam = parameter([2], gradient: [0])
        Optimizer(kind: .adam, weightDecay: 0.5).step([adam], learningRate: 0.1)
        #expect(abs(adam.value[0] - 1.9) < 1e-5)   // L2 enters the gradient: a full normalised step
    }

    @Test func clippingScalesToTheNorm() {
        let a = parameter([0, 0], gradient: [3, 0]), b = parameter([0], gradient: [4])
        let norm = clipGradientNorm([a, b], maximumNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        #expect(abs(a.gradient[0] - 0.6) < 1e-6 && abs(b.gradient[0] - 0.8) < 1e-6)
        let small = parameter([0], gradient: [0.5])
        clipGradientNorm([small], maximumNorm: 1)
        #expect(small.gradient == [0.5])
    }

    @Test func schedules() {
        var step = LearningRateSchedule(kind: .step)
        step.stepSize = 2
        step.gamma = 0.1
        let stepper = LearningRateScheduler(schedule: step, baseLearningRate: 1, epochs: 10)
        #expect((0..<5).map { stepper.rate(epoch: $0) } == [1, 1, 0.1, 0.1, Float(1) * pow(0.1, 2)])
        var cosine = LearningRateSchedule(kind: .cosine)
        cosine.minimumLearningRate = 0
        let cosineScheduler = LearningRateScheduler(schedule: cosine, baseLearningRate: 1, epochs: 4)
        #expect(abs(cosineScheduler.rate(epoch: 0) - 1) < 1e-6)
        #expect(abs(cosineScheduler.rate(epoch: 2) - 0.5) < 1e-6)
        var plateau = LearningRateSchedule(kind: .reduceOnPlateau)
        plateau.plateauPatience = 2
        plateau.factor = 0.5
        var scheduler = LearningRateScheduler(schedule: plateau, baseLearningRate: 1, epochs: 10)
        for uar in [0.5, 0.6, 0.6, 0.55] { scheduler.observe(validationUAR: uar) }
        #expect(scheduler.rate(epoch: 4) == 0.5)
        scheduler.observe(validationUAR: 0.7)
        #expect(scheduler.rate(epoch: 5) == 0.5)
    }

    @Test func unweightedAverageRecallIsTheMeanOfRecalls() {
        // class 0: 2 of 4 right, class 1: 1 of 1 right -> UAR 0.75 (accuracy would be 0.6).
        let uar = unweightedAverageRecall(predictions: [0, 0, 1, 1, 1], labels: [0, 0, 0, 0, 1], classCount: 3)
        #expect(abs(uar - 0.75) < 1e-12)
    }
}
