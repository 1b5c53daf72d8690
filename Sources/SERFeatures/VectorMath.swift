/// `sum a[i] * b[i]` with 16 float lanes: vectorises (a plain float loop does not under strict IEEE
/// ordering) and, summing in 16 partial sums, rounds far less than one running float sum: 128 terms of
/// -8.8 (silence in a 128-band DCT) stay within 1e-4 of the double result.
@inline(__always)
func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= count {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        lanes.addProduct(x, y)
        i += 16
    }
    var tail: Float = 0
    while i < count {
        tail += a[i] * b[i]
        i += 1
    }
    return lanes.sum() + tail
}
