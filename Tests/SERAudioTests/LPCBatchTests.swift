import Testing
import SERCore
@testable import SERAudio

/// The eight-lane LPC restore must give the 64-bit scalar restore's samples for every lane (orders,
/// shifts, block sizes and wasted bits differing per lane), and must refuse a subframe whose restored
/// samples leave their width rather than return wrapped 32-bit values.
@Suite struct LPCBatchTests {
    @Test func lanesEqualTheScalarRestore() {
        var generator = SeededGenerator(seed: 7, stream: "lpc-batch")
        let maxBlockSize = 300
        var batch = LPCBatch(maxBlockSize: maxBlockSize)
        defer { batch.deallocate() }
        var restoredLanes = 0
        for round in 0..<20 {
            var expected: [[Int32]] = []
            var destinations: [UnsafeMutablePointer<Int32>] = []
            let lanes = 1 + round % LPCBatch.lanes
            for _ in 0..<lanes {
                let width = Int.random(in: 8...17, using: &generator)
                let order = Int.random(in: 1...32, using: &generator)
                let blockSize = Int.random(in: order...maxBlockSize, using: &generator)
                let shift = Int.random(in: 0...15, using: &generator)
                // Coefficients that keep the prediction stable enough to stay inside `width` bits.
                var coefficients: [Int] = []
                for _ in 0..<order { coefficients.append(Int.random(in: -3...3, using: &generator)) }
                coefficients[0] = 1 << shift
                let limit = 1 << (width - 3)
                // Residuals chosen as the difference to a bounded target signal, so samples stay in range.
                var signal = [Int](repeating: 0, count: blockSize)
                var residual = [Int32](repeating: 0, count: blockSize)
                for i in 0..<blockSize {
                    signal[i] = Int.random(in: -limit...limit, using: &generator)
                    if i < order {
                        residual[i] = Int32(signal[i])
                    } else {
                        var sum = 0
                        for j in 0..<order { sum += coefficients[j] * signal[i - 1 - j] }
                        residual[i] = Int32(signal[i] - (sum >> shift))
                    }
                }
                let absoluteSum = coefficients.reduce(0) { $0 + abs($1) }
                guard LPCBatch.accepts(absoluteCoefficientSum: absoluteSum, width: width) else { continue }
                var scalar = residual
                coefficients.withUnsafeBufferPointer { c in
                    FLACStream.restoreLPC(&scalar, coefficients: c.baseAddress!, order: order, shift: shift, blockSize: blockSize)
                }
                let wasted = Int.random(in: 0...2, using: &generator)
                expected.append(scalar.map { $0 << Int32(wasted) })
                let column = batch.nextColumn
                for i in 0..<blockSize { column[i * LPCBatch.lanes] = residual[i] }
                let destination = UnsafeMutablePointer<Int32>.allocate(capacity: blockSize)
                destinations.append(destination)
                coefficients.withUnsafeBufferPointer { c in
                    batch.append(order: order, shift: shift, coefficients: c.baseAddress!, width: width, blockSize: blockSize,
                                 wasted: wasted, destination: destination)
                }
            }
            let restored = batch.restore()
            #expect(restored, "round \(round): a lane was refused")
            for (lane, destination) in destinations.enumerated() {
                let got = Array(UnsafeBufferPointer(start: destination, count: expected[lane].count))
                #expect(got == expected[lane], "round \(round), lane \(lane)")
                destination.deallocate()
            }
            restoredLanes += destinations.count
        }
        #expect(restoredLanes >= 60, "only \(restoredLanes) lanes were accepted: the test checks too little")
    }

    @Test func refusesSamplesOutsideTheirWidth() {
        var batch = LPCBatch(maxBlockSize: 64)
        defer { batch.deallocate() }
        let column = batch.nextColumn
        column[0] = 100
        for i in 1..<64 { column[i * LPCBatch.lanes] = 10 }  // s[i] = s[i-1] + 10: leaves 8 bits by sample 3
        let destination = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
        defer { destination.deallocate() }
        let coefficients = [1]
        coefficients.withUnsafeBufferPointer { c in
            batch.append(order: 1, shift: 0, coefficients: c.baseAddress!, width: 8, blockSize: 64, wasted: 0, destination: destination)
        }
        let restored = batch.restore()
        #expect(!restored)
        #expect(batch.count == 0, "the batch is emptied either way")
    }
}
