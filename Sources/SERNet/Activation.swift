import Foundation

/// Element-wise nonlinearities. JSON values: "relu", "tanh", "sigmoid", "gelu", "elu".
public enum ActivationKind: String, Codable, Sendable, CaseIterable {
    case relu, tanh, sigmoid, gelu, elu
}

/// Element-wise activation layer (any shape).
/// relu: max(0, x); tanh; sigmoid 1/(1+e^-x); gelu (tanh form): 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)));
/// elu (alpha 1): x for x > 0, e^x - 1 otherwise. tanh and sigmoid use `FastMath`.
public final class ActivationLayer: Layer {
    public let kind: ActivationKind
    private var input = Tensor(zeros: [0])
    private var output = Tensor(zeros: [0])
    private var threads = 1

    public init(_ kind: ActivationKind) { self.kind = kind }

    /// max(x, 0) of every element (`mask == nil`), or `x` where `mask > 0` and 0 elsewhere, into a new array;
    /// in chunks across threads for large arrays.
    static func relu(_ x: [Float], mask: [Float]?, threads: Int) -> [Float] {
        let count = x.count
        if count == 0 { return [] }
        return [Float](unsafeUninitializedCapacity: count) { yb, initialized in
            x.withUnsafeBufferPointer { xb in
                (mask ?? x).withUnsafeBufferPointer { mb in
                    let xP = SharedPointer(UnsafeMutablePointer(mutating: xb.baseAddress!)), yP = SharedPointer(yb.baseAddress!)
                    let mP = SharedPointer(UnsafeMutablePointer(mutating: mb.baseAddress!))
                    let masked = mask != nil
                    parallelChunks(count: count, chunks: elementwiseChunks(samples: count, elements: count, threads: threads)) { _, range in
                        let source = xP.base, target = yP.base, gate = mP.base
                        if masked {
                            for i in range { target[i] = gate[i] > 0 ? source[i] : 0 }
                        } else {
                            for i in range { target[i] = Swift.max(source[i], 0) }
                        }
                    }
                }
            }
            initialized = count
        }
    }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        let x = input.values
        threads = context.threads
        if kind == .relu {
            let result = Tensor(shape: x.shape, scalars: ActivationLayer.relu(x.scalars, mask: nil, threads: threads))
            output = result
            return Activations(values: result, lengths: input.lengths)
        }
        var y = x.scalars
        let count = y.count
        y.withUnsafeMutableBufferPointer { yb in
            let p = yb.baseAddress!
            switch kind {
            case .relu: preconditionFailure("relu takes the ActivationLayer.relu path above")
            case .tanh: FastMath.tanh(p, count: count)
            case .sigmoid: FastMath.sigmoid(p, count: count)
            case .gelu:
                for i in 0..<count {
                    let v = p[i]
                    p[i] = 0.5 * v * (1 + FastMath.tanh(0.797_884_56 * (v + 0.044_715 * v * v * v)))
                }
            case .elu: for i in 0..<count { let v = p[i]; p[i] = v > 0 ? v : FastMath.exp(v) - 1 }
            }
        }
        if kind == .gelu { self.input = x }
        let result = Tensor(shape: x.shape, scalars: y)
        self.output = result
        return Activations(values: result, lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        if kind == .relu {
            return Tensor(shape: outputGradient.shape, scalars: ActivationLayer.relu(outputGradient.scalars, mask: output.scalars, threads: threads))
        }
        var dx = outputGradient.scalars
        let count = dx.count
        dx.withUnsafeMutableBufferPointer { db in
            output.scalars.withUnsafeBufferPointer { yb in
                let d = db.baseAddress!, y = yb.baseAddress!
                switch kind {
                case .relu: preconditionFailure("relu takes the ActivationLayer.relu path above")
                case .tanh: for i in 0..<count { d[i] *= 1 - y[i] * y[i] }
                case .sigmoid: for i in 0..<count { d[i] *= y[i] * (1 - y[i]) }
                case .elu: for i in 0..<count { d[i] *= y[i] > 0 ? 1 : y[i] + 1 }
                case .gelu:
                    input.scalars.withUnsafeBufferPointer { xb in
                        let x = xb.baseAddress!
                        for i in 0..<count {
                            let v = x[i]
                            let inner = 0.797_884_56 * (v + 0.044_715 * v * v * v)
                            let t = FastMath.tanh(inner)
                            let dInner = 0.797_884_56 * (1 + 3 * 0.044_715 * v * v)
                            d[i] *= 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner
                        }
                    }
                }
            }
        }
        return Tensor(shape: outputGradient.shape, scalars: dx)
    }
}

/// Inverted dropout: in training each element is zeroed with probability `rate` and the rest scaled by
/// 1/(1-rate); identity at inference. Draws come from the context's dropout stream.
public final class Dropout: Layer {
    public let rate: Float
    private var mask: [Float] = []
    private var active = false

    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    public func forward(_ input: Activations, context: inout ForwardContext) -> Activations {
        active = context.training && rate > 0
        guard active else { return input }
        var y = input.values.scalars
        let count = y.count
        if mask.count != count { mask = [Float](repeating: 0, count: count) }
        let scale = 1 / (1 - rate)
        let threshold = UInt32(Double(rate) * 4_294_967_296.0)
        mask.withUnsafeMutableBufferPointer { m in
            var i = 0
            // Two 32-bit draws per 64-bit random number.
            while i < count {
                let bits = context.dropoutGenerator.next()
                m[i] = UInt32(truncatingIfNeeded: bits) < threshold ? 0 : scale
                if i + 1 < count { m[i + 1] = UInt32(truncatingIfNeeded: bits >> 32) < threshold ? 0 : scale }
                i += 2
            }
            y.withUnsafeMutableBufferPointer { yb in
                for j in 0..<count { yb[j] *= m[j] }
            }
        }
        return Activations(values: Tensor(shape: input.values.shape, scalars: y), lengths: input.lengths)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard active else { return outputGradient }
        var dx = outputGradient.scalars
        mask.withUnsafeBufferPointer { m in
            dx.withUnsafeMutableBufferPointer { d in
                for j in 0..<d.count { d[j] *= m[j] }
            }
        }
        return Tensor(shape: outputGradient.shape, scalars: dx)
    }
}
