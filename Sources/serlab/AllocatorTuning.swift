#if canImport(Glibc)
import Glibc
#endif

/// glibc malloc settings for training: keep freed activation buffers (a few MB each, allocated and freed
/// every batch) in the heap instead of returning them to the kernel, which made every batch page-fault and
/// zero them again (about 1,200 faults per CNN batch, some 5% of its time). Peak memory is unchanged; freed
/// memory stays reserved for the next batch. A process-wide policy, so the executable sets it once at its
/// entry point (`Serlab.main`), not a library; glibc only (`mallopt` is looked up at run time: Swift's
/// Glibc module does not export it).
enum AllocatorTuning {
    /// Applies the settings; false when this is not glibc or glibc refused them.
    @discardableResult
    static func apply() -> Bool {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }   // RTLD_DEFAULT
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3   // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)
        return mallopt(mmapThreshold, 32 << 20) == 1 && mallopt(trimThreshold, 512 << 20) == 1
        #else
        return false
        #endif
    }
}
