import COpenBLAS
import Foundation

/// Which of OpenBLAS's per-CPU kernel sets this process runs, and the one it should run.
///
/// OpenBLAS built with `DYNAMIC_ARCH` picks its kernels from the CPU model when the library is
/// loaded. A release that does not know the CPU (Debian's 0.3.21 on Intel model 207, for one)
/// falls back to its SSE3 kernels, "Prescott", and runs dgemm about 5× below the machine
/// (measured with `ptv bench`: 14.5 against 69.8 GFLOP/s at 1 thread). The documented remedy is
/// the environment variable `OPENBLAS_CORETYPE`, read only when the library loads; so the
/// command-line tool, when it finds the fallback on a CPU with AVX2 or AVX-512 and the variable
/// unset, sets it and starts itself again (same process id, same arguments; see
/// ``preferred(current:cpuFlags:)`` and README, "OpenBLAS's kernels"). A variable the user set is
/// kept as is.
public enum BLASKernels {
    /// The environment variable OpenBLAS reads its kernel set from.
    public static let variable = "OPENBLAS_CORETYPE"

    /// The kernel set in use, e.g. "SkylakeX", "Haswell", "Zen" or "Prescott".
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The kernel set to ask for instead of `current`, or nil to keep it: only OpenBLAS's fallback
    /// ("Prescott") is replaced, by "SkylakeX" where the CPU has the AVX-512 subsets those kernels
    /// use (F, CD, BW, DQ, VL), else by "Haswell" where it has AVX2 and FMA. A CPU that is really
    /// that old has neither, and keeps it.
    public static func preferred(current: String, cpuFlags: Set<String>) -> String? {
        guard current.lowercased() == "prescott" else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    /// The CPU's feature flags, from the first "flags" line of `/proc/cpuinfo` (empty where there
    /// is none).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let line = cpuinfo?.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// At process start, before any other thread exists: when the variable is unset and
    /// ``preferred(current:cpuFlags:)`` names a better kernel set, set the variable and replace
    /// this process by a fresh start of the same executable with the same arguments. Returns
    /// (and the process goes on with the kernels it has) when there is nothing to change or the
    /// restart fails.
    public static func restartWithPreferredKernels() {
        guard ProcessInfo.processInfo.environment[variable] == nil,
              let better = preferred(current: current, cpuFlags: cpuFlags()) else { return }
        setenv(variable, better, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(variable)  // only reached when the restart failed
    }
}
