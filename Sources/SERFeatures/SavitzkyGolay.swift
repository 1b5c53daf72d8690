import Foundation

/// `librosa.feature.delta(data, width, order, mode="interp")`, i.e.
/// `scipy.signal.savgol_filter(data, width, polyorder=order, deriv=order, mode="interp")` along frames.
///
/// Each output is the `order`-th derivative, at that frame, of the least-squares polynomial of degree
/// `order` fitted to a window of `width` frames: centred in the interior; for the first and last
/// `width / 2` frames the window is the first or last `width` frames (scipy's `interp` edges).
/// librosa refuses inputs shorter than `width` frames; here the width shrinks to the largest odd number
/// of frames available (at least 3), and fewer than 3 frames give zeros.
struct SavitzkyGolay: Sendable {
    let width: Int
    let order: Int
    /// `width x width`: row `p` holds the weights over a window that evaluate the derivative at position `p`.
    let weights: [Double]

    init(width: Int, order: Int) {
        precondition(width >= 3 && width % 2 == 1 && order >= 1 && order < width, "width \(width), order \(order)")
        self.width = width
        self.order = order
        // Least squares: coefficients a = (A^T A)^-1 A^T y with A[j][d] = (j - c)^d, centred for conditioning.
        let center = Double(width / 2)
        let degree = order + 1
        var normal = [Double](repeating: 0, count: degree * degree)
        for j in 0..<width {
            let x = Double(j) - center
            for r in 0..<degree { for s in 0..<degree { normal[r * degree + s] += pow(x, Double(r + s)) } }
        }
        let inverse = Self.invert(normal, size: degree)
        var weights = [Double](repeating: 0, count: width * width)
        for p in 0..<width {
            let position = Double(p) - center
            // d^order/dx^order of x^d at `position`: d!/(d-order)! x^(d-order).
            var derivative = [Double](repeating: 0, count: degree)
            for d in order..<degree {
                var factor = 1.0
                for f in (d - order + 1)...d { factor *= Double(f) }
                derivative[d] = factor * pow(position, Double(d - order))
            }
            for j in 0..<width {
                let x = Double(j) - center
                var weight = 0.0
                for r in 0..<degree {
                    var projected = 0.0
                    for s in 0..<degree { projected += inverse[r * degree + s] * pow(x, Double(s)) }
                    weight += derivative[r] * projected
                }
                weights[p * width + j] = weight
            }
        }
        self.weights = weights
    }

    /// Applies the filter along frames to a frames-major `frames x columns` array.
    static func apply(_ input: [Float], frameCount: Int, columnCount: Int, width requested: Int, order: Int) -> [Float] {
        var output = [Float](repeating: 0, count: input.count)
        var width = min(requested, frameCount % 2 == 1 ? frameCount : frameCount - 1)
        if width < 3 || width <= order { return output }
        width = max(width, 3)
        let filter = SavitzkyGolay(width: width, order: order)
        let half = width / 2
        input.withUnsafeBufferPointer { x in
            filter.weights.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { out in
                    for t in 0..<frameCount {
                        let (windowStart, position): (Int, Int)
                        if t < half { (windowStart, position) = (0, t) }
                        else if t >= frameCount - half { (windowStart, position) = (frameCount - width, t - (frameCount - width)) }
                        else { (windowStart, position) = (t - half, half) }
                        for c in 0..<columnCount {
                            var sum = 0.0
                            for j in 0..<width { sum += w[position * width + j] * Double(x[(windowStart + j) * columnCount + c]) }
                            out[t * columnCount + c] = Float(sum)
                        }
                    }
                }
            }
        }
        return output
    }

    /// Gauss-Jordan inverse of a small symmetric positive definite matrix.
    private static func invert(_ matrix: [Double], size n: Int) -> [Double] {
        var a = matrix
        var inverse = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inverse[i * n + i] = 1 }
        for column in 0..<n {
            var pivot = column
            for row in column..<n where abs(a[row * n + column]) > abs(a[pivot * n + column]) { pivot = row }
            if pivot != column {
                for k in 0..<n { a.swapAt(column * n + k, pivot * n + k); inverse.swapAt(column * n + k, pivot * n + k) }
            }
            let scale = a[column * n + column]
            for k in 0..<n { a[column * n + k] /= scale; inverse[column * n + k] /= scale }
            for row in 0..<n where row != column {
                let factor = a[row * n + column]
                if factor == 0 { continue }
                for k in 0..<n { a[row * n + k] -= factor * a[column * n + k]; inverse[row * n + k] -= factor * inverse[column * n + k] }
            }
        }
        return inverse
    }
}
