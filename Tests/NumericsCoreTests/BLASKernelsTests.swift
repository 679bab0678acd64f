import Testing
@testable import NumericsCore

/// The choice of OpenBLAS kernels: only the SSE3 fallback is replaced, and only by kernels the
/// CPU's flags allow.
struct BLASKernelsTests {
    static let avx512 = Set(["sse2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])

    @Test func theFallbackIsReplacedByTheWidestKernelsTheCPUHas() {
        #expect(BLASKernels.preferred(current: "Prescott", cpuFlags: Self.avx512) == "SkylakeX")
        #expect(BLASKernels.preferred(current: "Prescott", cpuFlags: ["sse2", "avx", "avx2", "fma"]) == "Haswell")
        // AVX-512 without the subsets the SkylakeX kernels use: Haswell's.
        #expect(BLASKernels.preferred(current: "Prescott", cpuFlags: ["avx2", "fma", "avx512f"]) == "Haswell")
        // A CPU as old as the fallback keeps it.
        #expect(BLASKernels.preferred(current: "Prescott", cpuFlags: ["sse2", "sse3", "avx"]) == nil)
        #expect(BLASKernels.preferred(current: "Prescott", cpuFlags: []) == nil)
    }

    @Test func aRecognisedCPUKeepsItsKernels() {
        for name in ["Zen", "Haswell", "SkylakeX", "Cooperlake", "SapphireRapids"] {
            #expect(BLASKernels.preferred(current: name, cpuFlags: Self.avx512) == nil, "\(name)")
        }
    }

    @Test func flagsAreReadFromTheFirstFlagsLine() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx2 fma\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: fpu\n"
        #expect(BLASKernels.cpuFlags(cpuinfo: cpuinfo) == ["fpu", "sse2", "avx2", "fma"])
        #expect(BLASKernels.cpuFlags(cpuinfo: "processor : 0\n").isEmpty)
        #expect(BLASKernels.cpuFlags(cpuinfo: nil).isEmpty)
    }
}
