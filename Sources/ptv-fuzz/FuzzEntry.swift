import InputSurfaces
#if canImport(Glibc)
import Glibc
#endif

/// Inputs run per surface, reported when the fuzzer exits (one fuzzing process: no locking).
nonisolated(unsafe) var inputsPerSurface = [Int](repeating: 0, count: InputSurface.allCases.count)

func reportInputsPerSurface() {
    let counts = zip(InputSurface.allCases, inputsPerSurface).map { "\($0.rawValue) \($1)" }.joined(separator: ", ")
    let line = Array("inputs per surface: \(counts)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// One fuzz input: the first byte picks an ``InputSurface``, the rest is its input (bytes; the
/// text surfaces decode them as UTF-8, invalid bytes replaced). A crash, a trap, a timeout, a
/// refusal that is not one line (an escape from the output-path surface's folder is reported as
/// one) or an unclassified error is a finding.
func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes, count > 0 else { return 0 }
    let index = Int(bytes[0]) % InputSurface.allCases.count
    let surface = InputSurface.allCases[index]
    inputsPerSurface[index] += 1
    let outcome = surface.read(bytes: Array(UnsafeBufferPointer(start: bytes + 1, count: count - 1)))
    if case .refused(let message) = outcome, message.hasPrefix("unclassified failure") { fatalError("\(surface.rawValue): \(message)") }
    if !outcome.isWellFormed { fatalError("\(surface.rawValue): refusal is not one short line: \(outcome)") }
    return 0
}

/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The entry point. The package manager links an executable's entry as `<module>_main` (here
/// `ptv_fuzz_main`), so the target defines that and hands the command line to libFuzzer's driver
/// rather than relying on libFuzzer's own `main`. Built only with PTV_FUZZ=1 (README "Fuzzing").
@_cdecl("ptv_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    atexit { reportInputsPerSurface() }   // libFuzzer ends a timed run with exit()
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzOneInput($0, $1) }
}
