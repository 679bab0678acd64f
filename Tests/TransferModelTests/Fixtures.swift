import Foundation
@testable import NumericsCore
@testable import TransferModel

/// Small configurations for fast tests.
enum Fixtures {
    /// d = 60, m = 4, N₁ = 16, N₂ = 10, T₁ = T₂ = 40, n_test = 200, record_every = 5; `yaml` overrides.
    static func config(_ yaml: String = "") -> ExperimentConfig {
        let overrides = Set(yaml.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) })
        let base = ["d: 60", "m: 4", "N1: 16", "N2: 10", "T1: 40", "T2: 40", "n_test: 200", "record_every: 5"]
            .filter { !overrides.contains(String($0.split(separator: ":")[0])) }
        return try! ExperimentConfig.parse(yaml: base.joined(separator: "\n") + "\n" + yaml)
    }
}
