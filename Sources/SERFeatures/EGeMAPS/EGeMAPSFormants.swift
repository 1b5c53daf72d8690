import Foundation

/// Formants F1-F3 and their bandwidths by linear prediction (openSMILE `cSpecResample targetFs 11000`,
/// `cLpc p 11 method acf`, `cFormantLpc minF 50 maxF 5450`).
///
/// The 20 ms Hamming power spectrum up to 5500 Hz stands for the frame resampled to 11 kHz: its
/// autocorrelation at lags of 1/11000 s is `r(m) = sum_k c_k P_k cos(2 pi f_k m / 11000)` (c = 1 at DC,
/// 2 elsewhere), Levinson-Durbin gives the order-11 predictor `A(z)`, and the roots of `A` above the
/// real axis (Durand-Kerner iteration) give frequency `arg(z) x 11000 / 2 pi` and bandwidth
/// `-ln|z| x 11000 / pi`. Roots between 50 and 5450 Hz, by frequency, are F1, F2, F3; missing ones are 0.
struct EGeMAPSFormants: Sendable {
    static let order = 11
    static let lpcRate = 11000.0
    let binHz: Double
    /// `cos(2 pi f_k m / 11000)` for lags m = 0...order, bins up to 5500 Hz (row per lag).
    let cosines: [[Double]]

    init(sampleRate: Int, fftSize: Int) {
        let binHz = Double(sampleRate) / Double(fftSize)
        self.binHz = binHz
        let top = min(fftSize / 2, Int((Self.lpcRate / 2 / binHz).rounded(.down)))
        cosines = (0...Self.order).map { m in
            (0...top).map { k in (k == 0 ? 1 : 2) * cos(2 * Double.pi * Double(k) * binHz * Double(m) / Self.lpcRate) }
        }
    }

    struct Formant: Equatable { var frequency: Double; var bandwidth: Double }

    func formants(_ power: [Float]) -> [Formant] {
        let r = cosines.map { row in zip(row, power).reduce(0.0) { $0 + $1.0 * Double($1.1) } }
        guard r[0] > 0, let a = Self.levinson(r) else { return [] }
        return Self.roots(a).compactMap { z -> Formant? in
            guard z.im > 1e-9 else { return nil }
            let f = atan2(z.im, z.re) * Self.lpcRate / (2 * Double.pi)
            let b = -log(max(z.magnitude, 1e-12)) * Self.lpcRate / Double.pi
            return f > 50 && f < 5450 ? Formant(frequency: f, bandwidth: b) : nil
        }.sorted { $0.frequency < $1.frequency }
    }

    /// Predictor `[1, a1, ..., ap]` from autocorrelation `r[0...p]`; nil when it is not positive definite.
    static func levinson(_ r: [Double]) -> [Double]? {
        let p = r.count - 1
        var a = [Double](repeating: 0, count: p + 1)
        a[0] = 1
        var error = r[0]
        for i in 1...p {
            var acc = r[i]
            for j in 1..<i { acc += a[j] * r[i - j] }
            let k = -acc / error
            let previous = a
            for j in 1..<i { a[j] = previous[j] + k * previous[i - j] }
            a[i] = k
            error *= 1 - k * k
            if !(error > 0) { return nil }
        }
        return a
    }

    struct Complex: Equatable {
        var re: Double, im: Double
        static func + (l: Complex, r: Complex) -> Complex { Complex(re: l.re + r.re, im: l.im + r.im) }
        static func - (l: Complex, r: Complex) -> Complex { Complex(re: l.re - r.re, im: l.im - r.im) }
        static func * (l: Complex, r: Complex) -> Complex { Complex(re: l.re * r.re - l.im * r.im, im: l.re * r.im + l.im * r.re) }
        static func / (l: Complex, r: Complex) -> Complex {
            let d = r.re * r.re + r.im * r.im
            return Complex(re: (l.re * r.re + l.im * r.im) / d, im: (l.im * r.re - l.re * r.im) / d)
        }
        var magnitude: Double { (re * re + im * im).squareRoot() }
    }

    /// Roots of the monic `z^p + a1 z^(p-1) + ... + ap` by Durand-Kerner (Weierstrass) iteration.
    static func roots(_ a: [Double]) -> [Complex] {
        let p = a.count - 1
        func value(_ z: Complex) -> Complex {
            var v = Complex(re: 1, im: 0)
            for i in 1...p { v = v * z + Complex(re: a[i], im: 0) }
            return v
        }
        let seed = Complex(re: 0.4, im: 0.9)
        var z = [Complex](repeating: Complex(re: 1, im: 0), count: p)
        for i in 1..<p { z[i] = z[i - 1] * seed }
        for _ in 0..<500 {
            var change = 0.0
            for i in 0..<p {
                var denominator = Complex(re: 1, im: 0)
                for j in 0..<p where j != i { denominator = denominator * (z[i] - z[j]) }
                guard denominator.magnitude > 0 else { continue }
                let step = value(z[i]) / denominator
                z[i] = z[i] - step
                change = max(change, step.magnitude)
            }
            if change < 1e-12 { break }
        }
        return z
    }
}
