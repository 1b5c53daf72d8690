/// Rice-coded residuals (the bulk of a FLAC file's bits and about half of its decode time).
///
/// Small Rice parameters (0...3, about 85% of RAVDESS's residuals) go through a table: the next
/// `riceLookupBits` bits index an entry holding up to six whole values and the bits they take, so one
/// load decodes several values. Anything the table cannot hold (a long quotient, a value cut by the
/// lookup window, the last values of a partition) takes the one-value path: a leading-zero count and
/// two shifts.
extension FLACStream {
    /// Bits one table lookup reads. 11 keeps the four tables (64 KB) mostly in L1 and L2.
    static let riceLookupBits = 11
    /// Rice parameters that have a table.
    static let riceTableParameters = 0...3
    /// Values one entry holds at most.
    static let riceValuesPerEntry = 6

    /// `riceTables[k << riceLookupBits + index]`: for the next `riceLookupBits` bits `index` of a
    /// partition with parameter k, the whole values they hold (at most six): bits 0-2 their count, bits
    /// 3-7 the bits they take, then one signed byte per value (residuals this short fit in Int8).
    static let riceTables: [UInt64] = riceTableParameters.flatMap { parameter in
        (0..<(1 << riceLookupBits)).map { riceEntry(index: $0, parameter: parameter) }
    }

    static func riceEntry(index: Int, parameter k: Int) -> UInt64 {
        let width = riceLookupBits
        func bit(_ position: Int) -> Int { (index >> (width - 1 - position)) & 1 }
        var position = 0, count = 0
        var entry: UInt64 = 0
        while count < riceValuesPerEntry {
            var zeros = 0
            while position + zeros < width && bit(position + zeros) == 0 { zeros += 1 }
            let length = zeros + 1 + k
            guard position + length <= width else { break }
            let remainder = (index >> (width - position - length)) & ((1 << k) - 1)
            let folded = zeros << k | remainder
            let value = (folded >> 1) ^ -(folded & 1)
            entry |= UInt64(UInt8(bitPattern: Int8(value))) << UInt64(8 + 8 * count)
            position += length
            count += 1
        }
        return entry | UInt64(position) << 3 | UInt64(count)
    }

    /// Rice-coded residuals into `samples[i * stride]` for i in `order..<blockSize`.
    /// `stride` is 1 or `LPCBatch.lanes`.
    mutating func residual(order: Int, blockSize: Int, into samples: UnsafeMutablePointer<Int32>, stride: Int) -> Bool {
        precondition(stride == 1 || stride == LPCBatch.lanes, "residual stride must be 1 or \(LPCBatch.lanes), got \(stride)")
        let method = bits(2)
        guard method <= 1 else { return false }
        let parameterBits = method == 0 ? 4 : 5
        let escape = method == 0 ? 15 : 31
        let partitionOrder = Int(bits(4))
        let partitions = 1 << partitionOrder
        let perPartition = blockSize >> partitionOrder
        guard perPartition << partitionOrder == blockSize, perPartition >= order else { return false }
        return Self.riceTables.withUnsafeBufferPointer { tables in
            var index = order
            for partition in 0..<partitions {
                let end = (partition + 1) * perPartition
                let parameter = Int(bits(parameterBits))
                if parameter == escape {
                    let raw = Int(bits(5))
                    while index < end {
                        samples[index &* stride] = raw == 0 ? 0 : signedBits(raw)
                        index += 1
                    }
                } else {
                    // Two copies of the inlined loop, each with its stride a constant.
                    let decoded = stride == 1
                        ? riceValues(parameter: parameter, from: index, to: end, into: samples, stride: 1, tables: tables)
                        : riceValues(parameter: parameter, from: index, to: end, into: samples, stride: LPCBatch.lanes, tables: tables)
                    guard decoded else { return false }
                    index = end
                }
                if position > limit { return false }
            }
            return true
        }
    }

    /// One partition's values into `samples[start..<end]`. The next bits live in `word` (left-aligned,
    /// `available` of them valid), reloaded from memory only when what is left is too short; `position`
    /// stays in a register meanwhile.
    @inline(__always)
    private mutating func riceValues(parameter: Int, from start: Int, to end: Int, into samples: UnsafeMutablePointer<Int32>,
                                     stride: Int, tables: UnsafeBufferPointer<UInt64>) -> Bool {
        let k = UInt64(parameter)
        let lookupBits = Self.riceLookupBits
        let table: UnsafePointer<UInt64>? = Self.riceTableParameters.contains(parameter)
            ? tables.baseAddress! + parameter << lookupBits : nil
        var index = start
        var at = position
        var word = window(at: at)
        var available = 64 &- (at & 7)
        while index < end {
            if let table, end &- index >= Self.riceValuesPerEntry {
                if available < lookupBits {
                    guard at <= limit else { return false }
                    word = window(at: at)
                    available = 64 &- (at & 7)
                }
                let entry = table[Int(truncatingIfNeeded: word &>> UInt64(64 &- lookupBits))]
                let count = Int(truncatingIfNeeded: entry & 7)
                if count != 0 {
                    // All six slots are written (index + 6 <= end); only `count` of them are kept.
                    let out = samples + index &* stride
                    out[0] = Int32(Int8(truncatingIfNeeded: entry &>> 8))
                    out[stride] = Int32(Int8(truncatingIfNeeded: entry &>> 16))
                    out[2 &* stride] = Int32(Int8(truncatingIfNeeded: entry &>> 24))
                    out[3 &* stride] = Int32(Int8(truncatingIfNeeded: entry &>> 32))
                    out[4 &* stride] = Int32(Int8(truncatingIfNeeded: entry &>> 40))
                    out[5 &* stride] = Int32(Int8(truncatingIfNeeded: entry &>> 48))
                    let used = Int(truncatingIfNeeded: (entry &>> 3) & 31)
                    index &+= count
                    word = word &<< UInt64(used)
                    available &-= used
                    at &+= used
                    continue
                }
            }
            let zeros = word.leadingZeroBitCount
            let used = zeros &+ 1 &+ parameter
            if used < available {
                let value = UInt64(truncatingIfNeeded: zeros) &<< k | ((word &<< UInt64(zeros &+ 1)) &>> (63 &- k)) &>> 1
                samples[index &* stride] = Int32(truncatingIfNeeded: (value &>> 1) ^ (0 &- (value & 1)))
                index &+= 1
                word = word &<< UInt64(used)
                available &-= used
                at &+= used
            } else if available < 57 {
                guard at <= limit else { return false }
                word = window(at: at)
                available = 64 &- (at & 7)
            } else {
                // A quotient or remainder longer than a whole window.
                position = at
                guard let quotient = unary() else { return false }
                let value = UInt64(quotient) &<< k | UInt64(bits(parameter))
                samples[index &* stride] = Int32(truncatingIfNeeded: (value &>> 1) ^ (0 &- (value & 1)))
                index &+= 1
                at = position
                guard at <= limit else { return false }
                word = window(at: at)
                available = 64 &- (at & 7)
            }
        }
        position = at
        return true
    }
}
