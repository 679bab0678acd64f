import InputSurfaces

/// libFuzzer's entry point: the first byte picks an ``InputSurface``, the rest is its text (UTF-8,
/// invalid bytes replaced). A crash, a trap, a timeout or a refusal that is not one line is a
/// finding. Built only with PTV_FUZZ=1 (see README "Fuzzing").
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let surface = InputSurface.allCases[Int(bytes[0]) % InputSurface.allCases.count]
    let text = String(decoding: UnsafeBufferPointer(start: bytes + 1, count: count - 1), as: UTF8.self)
    let outcome = surface.read(text)
    if !outcome.isWellFormed { fatalError("\(surface.rawValue): refusal is not one short line: \(outcome)") }
    return 0
}
