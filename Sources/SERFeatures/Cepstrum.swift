import Foundation

/// `librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db)` in place:
/// `10 log10(max(amin, S))`, then everything below `max - topDecibels` raised to it. The maximum is
/// taken over the whole array (the whole utterance), so the floor depends on the loudest frame.
func powerToDecibels(_ values: inout [Float], topDecibels: Double?, amin: Float = 1e-10) {
    values.withUnsafeMutableBufferPointer { v in
        var peak = -Float.infinity
        for i in v.indices {
            let db = 10 * log10f(max(amin, v[i]))
            v[i] = db
            peak = max(peak, db)
        }
        if let top = topDecibels, !v.isEmpty {
            let floor = peak - Float(top)
            for i in v.indices where v[i] < floor { v[i] = floor }
        }
    }
}

/// The first `outputCount` rows of the orthonormal DCT-II of size `inputCount` (scipy `dct(type=2,
/// norm="ortho")`): `X_k = s_k * sum_n x_n cos(pi k (2n + 1) / (2N))`, `s_0 = sqrt(1/N)`, `s_k = sqrt(2/N)`.
struct DCTMatrix: Sendable {
    let inputCount: Int
    let outputCount: Int
    /// `outputCount x inputCount`, row-major.
    let matrix: [Float]

    init(inputCount: Int, outputCount: Int) {
        self.inputCount = inputCount
        self.outputCount = outputCount
        var matrix = [Float](repeating: 0, count: inputCount * outputCount)
        let n = Double(inputCount)
        for k in 0..<outputCount {
            let scale = k == 0 ? (1 / n).squareRoot() : (2 / n).squareRoot()
            for i in 0..<inputCount {
                matrix[k * inputCount + i] = Float(scale * cos(Double.pi * Double(k) * (2 * Double(i) + 1) / (2 * n)))
            }
        }
        self.matrix = matrix
    }

    /// Frames-major input `frames x inputCount` to frames-major output `frames x outputCount`.
    func apply(_ input: [Float], frameCount: Int) -> [Float] {
        var output = [Float](repeating: 0, count: frameCount * outputCount)
        input.withUnsafeBufferPointer { x in
            matrix.withUnsafeBufferPointer { d in
                output.withUnsafeMutableBufferPointer { out in
                    for t in 0..<frameCount {
                        let row = x.baseAddress! + t * inputCount
                        for k in 0..<outputCount {
                            let basis = d.baseAddress! + k * inputCount
                            out[t * outputCount + k] = dotProduct(basis, row, count: inputCount)
                        }
                    }
                }
            }
        }
        return output
    }
}
