#if canImport(Glibc)
import CMalloc
#endif

/// Process-wide allocator settings for the command-line tool.
public enum ProcessMemory {
    /// Keep freed blocks in the heap for reuse instead of returning them to the kernel.
    ///
    /// A run allocates and frees matrices of a few MB again and again (test sets, rebuilt
    /// filters, per-step products). glibc serves blocks above its mmap threshold (128 KiB at
    /// start) with fresh mappings and trims the heap top eagerly, so each such block is paid for
    /// again in page faults (measured: about 2 400 of 12 000 faults of a d = 4000 `ptv train`).
    /// With these settings the heap grows to the run's peak once and is reused. Call once, at
    /// start-up, before any threads allocate. No effect off glibc.
    public static func retainFreedPages() {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, 512 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        _ = mallopt(M_TOP_PAD, 16 << 20)
        #endif
    }
}
