extension Duration {
    /// The duration in seconds, as a Double (wall times in progress lines, records and benchmarks).
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
