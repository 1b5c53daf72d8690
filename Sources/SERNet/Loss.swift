/// Softmax cross-entropy over logits `[N, K]` with optional class weights and label smoothing.
///
/// Target q = (1 - s) onehot(y) + s / K. Per sample l_n = -sum_k q_k log p_k with p = softmax(logits).
/// Loss = sum_n w_{y_n} l_n / sum_n w_{y_n} (PyTorch's "mean" reduction with class weights; without
/// weights a plain mean). Gradient: dL/dlogits_n = w_{y_n} (p_n - q_n) / sum w. Computed in Double.
public struct CrossEntropyLoss: Sendable, Equatable {
    public var classWeights: [Float]?
    public var labelSmoothing: Float

    public init(classWeights: [Float]? = nil, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got \(labelSmoothing)")
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
    }

    /// The loss and dLoss/dLogits.
    public func evaluate(logits: Tensor, labels: [Int]) -> (loss: Float, gradient: Tensor) {
        precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                     "logits \(logits.shape) do not match \(labels.count) labels")
        let N = logits.shape[0], K = logits.shape[1]
        if let classWeights { precondition(classWeights.count == K, "\(classWeights.count) class weights for \(K) classes") }
        var gradient = [Float](repeating: 0, count: N * K)
        var totalWeight: Double = 0
        var total: Double = 0
        let smoothing = Double(labelSmoothing)
        for n in 0..<N {
            let label = labels[n]
            precondition(label >= 0 && label < K, "label \(label) outside 0..<\(K)")
            let w = Double(classWeights?[label] ?? 1)
            totalWeight += w
            var top = -Double.infinity
            for k in 0..<K { top = max(top, Double(logits.scalars[n * K + k])) }
            var sum: Double = 0
            for k in 0..<K { sum += _exp(Double(logits.scalars[n * K + k]) - top) }
            let logSum = _log(sum) + top
            var sampleLoss: Double = 0
            for k in 0..<K {
                let logP = Double(logits.scalars[n * K + k]) - logSum
                let q = (k == label ? 1 - smoothing : 0) + smoothing / Double(K)
                sampleLoss -= q * logP
                gradient[n * K + k] = Float(w * (_exp(logP) - q))
            }
            total += w * sampleLoss
        }
        let normalizer = totalWeight > 0 ? totalWeight : 1
        for i in 0..<gradient.count { gradient[i] = Float(Double(gradient[i]) / normalizer) }
        return (Float(total / normalizer), Tensor(shape: [N, K], scalars: gradient))
    }
}

/// Softmax along the last axis of `[N, K]`, in Double for stability.
func softmaxRows(_ logits: Tensor) -> Tensor {
    let N = logits.shape[0], K = logits.shape[1]
    var out = [Float](repeating: 0, count: N * K)
    for n in 0..<N {
        var top = -Double.infinity
        for k in 0..<K { top = max(top, Double(logits.scalars[n * K + k])) }
        var sum: Double = 0
        var e = [Double](repeating: 0, count: K)
        for k in 0..<K { e[k] = _exp(Double(logits.scalars[n * K + k]) - top); sum += e[k] }
        for k in 0..<K { out[n * K + k] = Float(e[k] / sum) }
    }
    return Tensor(shape: [N, K], scalars: out)
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
#else
import Foundation
@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
#endif
