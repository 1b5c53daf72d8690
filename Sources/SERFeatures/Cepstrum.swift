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
    /// The folded form used by `applyLanes`: `inputCount / 2` columns, row `k` holding `matrix[k][n]`
    /// for `n < inputCount / 2` (row `k` is even about its middle for even `k`, odd for odd `k`).
    let folded: [Float]
    /// `matrix[k][inputCount / 2]` for odd `inputCount` (the middle column; zero for odd `k`), else 0.
    let middle: [Float]
    /// Even rows: the output for a constant input of 1 through the folded rows,
    /// `2 sum_{n<N/2} folded[k][n] + middle[k]` (summed in double; `sqrt(N)` for row 0, about 0 for the
    /// others). Odd rows: 0 (a constant cancels in `x_n - x_{N-1-n}`).
    let rowSums: [Float]
    /// What `Float` rounding left of each row sum (`rowSums + rowSumsLow` is the double sum to about
    /// 1e-14): `c * rowSums[0]` reaches hundreds for loud frames, where the 3e-8 relative rounding of
    /// `rowSums[0]` alone would cost 2e-5.
    let rowSumsLow: [Float]

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
        let half = inputCount / 2
        folded = (0..<outputCount).flatMap { k in matrix[(k * inputCount)..<(k * inputCount + half)] }
        middle = (0..<outputCount).map { k in inputCount % 2 == 1 ? matrix[k * inputCount + half] : 0 }
        let exactSums = (0..<outputCount).map { k in
            k % 2 == 1 ? 0 : matrix[(k * inputCount)..<(k * inputCount + half)].reduce(0.0) { $0 + 2 * Double($1) }
                + (inputCount % 2 == 1 ? Double(matrix[k * inputCount + half]) : 0)
        }
        rowSums = exactSums.map { Float($0) }
        rowSumsLow = exactSums.map { Float($0 - Double(Float($0))) }
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

extension DCTMatrix {
    /// Work space `applyLanes` needs, in 16-lane vectors.
    var laneWorkCount: Int { max(1, 2 * (inputCount / 2)) }

    /// The DCT of 16 frames at once, one per lane: `x[n]` holds input `n` of every frame (`inputCount`
    /// vectors), `output[k]` receives coefficient `k` (`outputCount` vectors); `work` holds
    /// `laneWorkCount` vectors.
    ///
    /// In float, with two changes that make it both cheaper and more accurate than a plain float sum:
    /// - folding: with `h = N / 2`, `u_n = x_n + x_{N-1-n}` and `v_n = x_n - x_{N-1-n}` (`n < h`), even
    ///   rows need only `sum_{n<h} B_kn u_n` (plus the middle column for odd `N`) and odd rows only
    ///   `sum_{n<h} B_kn v_n`, because `B_k,N-1-n = (-1)^k B_kn`: half the multiply-adds, sums of half
    ///   the length;
    /// - centring: each frame's mean `c` is taken out of the even rows' input and added back as
    ///   `c * sum_n B_kn` (exact identity; odd rows do not see `c` at all), so the running sums add
    ///   deviations of a few dB instead of values near -100 dB.
    /// Four coefficients of the same parity share each load (eight independent vector sums in flight).
    /// Measured against the double-precision sum: see `CepstrumTests`.
    @inline(__always)
    func applyLanes(_ x: UnsafePointer<SIMD16<Float>>, work: UnsafeMutablePointer<SIMD16<Float>>,
                    into output: UnsafeMutablePointer<SIMD16<Float>>) {
        typealias Lanes = SIMD16<Float>
        let n = inputCount, half = n / 2, odd = n % 2 == 1
        let u = work, v = work + half
        var sum = Lanes(), sum2 = Lanes()
        var i = 0
        while i + 2 <= half {
            let a0 = x[i], b0 = x[n - 1 - i], a1 = x[i + 1], b1 = x[n - 2 - i]
            let u0 = a0 + b0, u1 = a1 + b1
            u[i] = u0; v[i] = a0 - b0
            u[i + 1] = u1; v[i + 1] = a1 - b1
            sum += u0; sum2 += u1
            i += 2
        }
        if i < half {
            let a = x[i], b = x[n - 1 - i]
            u[i] = a + b; v[i] = a - b
            sum += u[i]
        }
        sum += sum2
        if odd { sum += x[half] }
        let c = sum * Lanes(repeating: Float(1 / Double(n)))
        let twoC = c + c
        for i in 0..<half { u[i] -= twoC }
        let centredMiddle = odd ? x[half] - c : Lanes()
        folded.withUnsafeBufferPointer { f in
            let basis = f.baseAddress!
            for parity in 0..<2 {
                let input = UnsafePointer(parity == 0 ? u : v)
                var k = parity
                while k + 6 < outputCount {
                    let r0 = basis + k * half, r1 = r0 + 2 * half, r2 = r1 + 2 * half, r3 = r2 + 2 * half
                    var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
                    for i in 0..<half {
                        let value = input[i]
                        s0.addProduct(Lanes(repeating: r0[i]), value)
                        s1.addProduct(Lanes(repeating: r1[i]), value)
                        s2.addProduct(Lanes(repeating: r2[i]), value)
                        s3.addProduct(Lanes(repeating: r3[i]), value)
                    }
                    output[k] = s0; output[k + 2] = s1; output[k + 4] = s2; output[k + 6] = s3
                    k += 8
                }
                while k < outputCount {
                    let r0 = basis + k * half
                    var s0 = Lanes()
                    for i in 0..<half { s0.addProduct(Lanes(repeating: r0[i]), input[i]) }
                    output[k] = s0
                    k += 2
                }
            }
        }
        // Small terms first, the large `c * rowSums[k]` last: one rounding at the result's magnitude.
        for k in stride(from: 0, to: outputCount, by: 2) {
            if odd { output[k].addProduct(centredMiddle, Lanes(repeating: middle[k])) }
            output[k].addProduct(c, Lanes(repeating: rowSumsLow[k]))
            output[k].addProduct(c, Lanes(repeating: rowSums[k]))
        }
    }
}
