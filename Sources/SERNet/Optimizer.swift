/// Optimizer choice. JSON values: "sgd", "adam", "adamW".
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// v = momentum v + (g + weightDecay p); p -= lr v (PyTorch's SGD).
    case sgd
    /// Adam with L2 weight decay added to the gradient (PyTorch's Adam).
    case adam
    /// Adam with decoupled weight decay: p -= lr weightDecay p before the Adam step (PyTorch's AdamW).
    case adamW
}

/// Updates parameters in place from their gradients. State (momentum, moments) is kept per parameter
/// in the order `step` first sees them.
public final class Optimizer {
    public let kind: OptimizerKind
    public var weightDecay: Float
    public var momentum: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    private var firstMoments: [[Float]] = []
    private var secondMoments: [[Float]] = []
    private var stepCount = 0

    public init(kind: OptimizerKind, weightDecay: Float = 0, momentum: Float = 0.9) {
        self.kind = kind
        self.weightDecay = weightDecay
        self.momentum = momentum
    }

    /// One update of every trainable parameter with learning rate `learningRate`.
    public func step(_ parameters: [Parameter], learningRate: Float) {
        let trainable = parameters.filter(\.isTrainable)
        if firstMoments.isEmpty {
            firstMoments = trainable.map { [Float](repeating: 0, count: $0.value.count) }
            if kind != .sgd { secondMoments = firstMoments }
        }
        precondition(firstMoments.count == trainable.count, "optimizer saw \(firstMoments.count) parameters, now \(trainable.count)")
        stepCount += 1
        let lr = learningRate, wd = weightDecay
        let correction1 = 1 - pow(beta1, Float(stepCount)), correction2 = 1 - pow(beta2, Float(stepCount))
        for (index, parameter) in trainable.enumerated() {
            let count = parameter.value.count
            parameter.value.withUnsafeMutableBufferPointer { p in
                parameter.gradient.withUnsafeBufferPointer { g in
                    firstMoments[index].withUnsafeMutableBufferPointer { m in
                        switch kind {
                        case .sgd:
                            let mu = momentum
                            for i in 0..<count {
                                let grad = g[i] + wd * p[i]
                                m[i] = mu * m[i] + grad
                                p[i] -= lr * m[i]
                            }
                        case .adam, .adamW:
                            let decoupled = kind == .adamW
                            let b1 = beta1, b2 = beta2, eps = epsilon
                            let stepSize = lr / correction1
                            let inverseCorrection2 = 1 / correction2
                            secondMoments[index].withUnsafeMutableBufferPointer { v in
                                Optimizer.adamUpdate(count: count, p: p.baseAddress!, g: g.baseAddress!, m: m.baseAddress!, v: v.baseAddress!,
                                                     learningRate: lr, weightDecay: wd, decoupled: decoupled, beta1: b1, beta2: b2,
                                                     epsilon: eps, stepSize: stepSize, inverseCorrection2: inverseCorrection2)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Optimizer {
    /// The Adam / AdamW update over one array, eight lanes at a time (explicit SIMD: the scalar loop did
    /// not vectorise and dominated small models' steps).
    static func adamUpdate(count: Int, p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                           v: UnsafeMutablePointer<Float>, learningRate lr: Float, weightDecay wd: Float, decoupled: Bool,
                           beta1 b1: Float, beta2 b2: Float, epsilon eps: Float, stepSize: Float, inverseCorrection2: Float) {
        typealias V = SIMD8<Float>
        let vectorCount = count / 8
        let pr = UnsafeMutableRawPointer(p), gr = UnsafeRawPointer(g), mr = UnsafeMutableRawPointer(m), vr = UnsafeMutableRawPointer(v)
        let decay: Float = decoupled ? 1 - lr * wd : 1
        let l2: Float = decoupled ? 0 : wd
        for i in 0..<vectorCount {
            let offset = i * 32
            var pv = pr.loadUnaligned(fromByteOffset: offset, as: V.self)
            let gv = gr.loadUnaligned(fromByteOffset: offset, as: V.self) + l2 * pv
            pv *= decay
            let mv = b1 * mr.loadUnaligned(fromByteOffset: offset, as: V.self) + (1 - b1) * gv
            let vv = b2 * vr.loadUnaligned(fromByteOffset: offset, as: V.self) + (1 - b2) * gv * gv
            pv -= stepSize * mv / ((vv * inverseCorrection2).squareRoot() + eps)
            mr.storeBytes(of: mv, toByteOffset: offset, as: V.self)
            vr.storeBytes(of: vv, toByteOffset: offset, as: V.self)
            pr.storeBytes(of: pv, toByteOffset: offset, as: V.self)
        }
        for i in (vectorCount * 8)..<count {
            let grad = g[i] + l2 * p[i]
            p[i] *= decay
            m[i] = b1 * m[i] + (1 - b1) * grad
            v[i] = b2 * v[i] + (1 - b2) * grad * grad
            p[i] -= stepSize * m[i] / ((v[i] * inverseCorrection2).squareRoot() + eps)
        }
    }
}

/// Scales all gradients so their joint L2 norm is at most `maximumNorm`; returns the norm before clipping
/// (accumulated in Double).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maximumNorm: Float) -> Float {
    var squares: Double = 0
    for parameter in parameters where parameter.isTrainable {
        parameter.gradient.withUnsafeBufferPointer { g in
            var partial: Float = 0
            var i = 0
            // Float partials in blocks of 1024, summed in Double: fast and accurate enough for a norm.
            while i < g.count {
                let end = min(i + 1024, g.count)
                partial = 0
                for j in i..<end { partial += g[j] * g[j] }
                squares += Double(partial)
                i = end
            }
        }
    }
    let norm = Float(squares.squareRoot())
    if norm > maximumNorm && norm > 0 {
        let factor = maximumNorm / norm
        for parameter in parameters where parameter.isTrainable {
            parameter.gradient.withUnsafeMutableBufferPointer { g in
                for j in 0..<g.count { g[j] *= factor }
            }
        }
    }
    return norm
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
