/// LPC subframes restored eight at a time, one per SIMD lane.
///
/// Why: restoring one subframe is a recurrence (each sample needs the one before it), so a scalar
/// loop does one multiply per coefficient per sample, one after the other: about 12 cycles a sample at
/// order 12, a quarter of a RAVDESS file's decode. Eight independent subframes side by side (sample i
/// of all eight in one `SIMD8<Int32>` row) do the same work in eight-wide multiplies.
///
/// The sums are taken in 32 bits, which is exact when `sum |c_j| * 2^(width-1) <= Int32.max` (checked
/// before a subframe joins) and every sample fits its `width` bits. A valid stream's samples always
/// do; `restore` checks each restored sample and fails (the decoder then returns nil and the caller
/// falls back to libFLAC) when one does not, so the result equals the 64-bit scalar path's whenever
/// it is returned.
struct LPCBatch {
    static let lanes = 8
    /// FLAC's largest LPC order; that many rows of zeros sit before row 0 so taps never read outside.
    static let maxOrder = 32

    typealias Row = SIMD8<Int32>

    /// Where a lane's restored samples go, and how.
    struct Job {
        var destination: UnsafeMutablePointer<Int32>
        var blockSize: Int
        var wasted: Int
    }

    let maxBlockSize: Int
    /// `maxOrder + maxBlockSize` rows; row r (r may be negative) is `rows[r]`.
    private let storage: UnsafeMutablePointer<Row>
    private var rows: UnsafeMutablePointer<Row> { storage + Self.maxOrder }
    /// Tap j's coefficient in each lane (0 past a lane's order).
    private let coefficients: UnsafeMutablePointer<Row>
    private var jobs: [Job] = []
    private var orders = Row(repeating: .max), shifts = Row(), blockSizes = Row()
    private var low = Row(repeating: .min), high = Row(repeating: .max)
    private var taps = 0, firstRow = Int.max, lastRow = 0

    var count: Int { jobs.count }
    var isFull: Bool { jobs.count == Self.lanes }

    init(maxBlockSize: Int) {
        self.maxBlockSize = maxBlockSize
        storage = .allocate(capacity: Self.maxOrder + maxBlockSize)
        storage.initialize(repeating: Row(), count: Self.maxOrder + maxBlockSize)
        coefficients = .allocate(capacity: Self.maxOrder)
        coefficients.initialize(repeating: Row(), count: Self.maxOrder)
        jobs.reserveCapacity(Self.lanes)
    }

    func deallocate() {
        storage.deallocate()
        coefficients.deallocate()
    }

    /// Whether a subframe with these coefficients and sample width can be restored in 32 bits.
    static func accepts(absoluteCoefficientSum: Int, width: Int) -> Bool {
        width <= 32 && absoluteCoefficientSum << (width - 1) <= Int(Int32.max)
    }

    /// Sample 0 of the next free lane; sample i is `column[i * lanes]`. The caller writes the warm-up
    /// samples and residuals there, then calls `append`.
    var nextColumn: UnsafeMutablePointer<Int32> {
        precondition(!isFull, "LPC batch is full")
        return UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Int32.self) + jobs.count
    }

    /// Takes the subframe in `nextColumn` (warm-up and residuals written) into the batch.
    mutating func append(order: Int, shift: Int, coefficients c: UnsafePointer<Int>, width: Int, blockSize: Int,
                         wasted: Int, destination: UnsafeMutablePointer<Int32>) {
        let lane = jobs.count
        for j in 0..<order { coefficients[j][lane] = Int32(truncatingIfNeeded: c[j]) }
        orders[lane] = Int32(order)
        shifts[lane] = Int32(shift)
        blockSizes[lane] = Int32(blockSize)
        low[lane] = Int32(truncatingIfNeeded: -(1 << (width - 1)))
        high[lane] = Int32(truncatingIfNeeded: (1 << (width - 1)) - 1)
        taps = max(taps, order)
        firstRow = min(firstRow, order)
        lastRow = max(lastRow, blockSize)
        jobs.append(Job(destination: destination, blockSize: blockSize, wasted: wasted))
    }

    /// Restores every lane, copies each to its destination (shifted by its wasted bits) and empties the
    /// batch; false when a restored sample does not fit its width (an invalid stream).
    mutating func restore() -> Bool {
        defer { reset() }
        guard !jobs.isEmpty else { return true }
        let rows = rows, coefficients = coefficients, orders = orders, shifts = shifts, blockSizes = blockSizes
        let low = low, high = high, taps = (taps + 3) & ~3
        var outside = SIMDMask<Row>(repeating: false)
        for i in firstRow..<lastRow {
            // Oldest tap first: the newest row, written one step before, is needed last. Four taps a
            // step (`taps` is rounded up to a multiple of 4; the extra coefficients are zero).
            var sum = Row()
            let newest = rows + (i &- 1)
            var j = taps &- 4
            while j >= 0 {
                sum &+= coefficients[j &+ 3] &* (newest - (j &+ 3)).pointee
                sum &+= coefficients[j &+ 2] &* (newest - (j &+ 2)).pointee
                sum &+= coefficients[j &+ 1] &* (newest - (j &+ 1)).pointee
                sum &+= coefficients[j] &* (newest - j).pointee
                j &-= 4
            }
            let index = Row(repeating: Int32(truncatingIfNeeded: i))
            let residual = rows[i]
            var value = residual &+ (sum &>> shifts)
            value.replace(with: residual, where: index .< orders)  // warm-up samples stay
            outside .|= ((value .< low) .| (value .> high)) .& (index .< blockSizes)
            rows[i] = value
        }
        guard !any(outside) else { return false }
        let base = UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Int32.self)
        for (lane, job) in jobs.enumerated() {
            let column = base + lane, out = job.destination, wasted = Int32(job.wasted)
            for i in 0..<job.blockSize { out[i] = column[i &* Self.lanes] &<< wasted }
        }
        return true
    }

    private mutating func reset() {
        for j in 0..<((taps + 3) & ~3) { coefficients[j] = Row() }
        jobs.removeAll(keepingCapacity: true)
        orders = Row(repeating: .max)
        shifts = Row()
        blockSizes = Row()
        low = Row(repeating: .min)
        high = Row(repeating: .max)
        taps = 0
        firstRow = .max
        lastRow = 0
    }
}
