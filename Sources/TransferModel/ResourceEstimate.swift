import Foundation
import Platform
import Vocabulary

/// The memory one run of a configuration needs, estimated from the config alone before anything
/// is allocated, with the term that drives it.
///
/// In Doubles (8 bytes): D is the sample space's dimension (d, or 3 + K with `gram`),
/// n_k = N₁, N₂, P the patches, m the filters per class, R = T/record_every + 2 the recorded steps:
/// - the reduced draw's Bartlett factor, K² (gram only);
/// - the training sets, (N₁ + N₂)·P·D, and about twelve 2m × D filter banks (initial, final,
///   transferred, spanning rows of each phase);
/// - per phase, the recorder's snapshots, R·3·2m·n_k (ρ̄, ρ̲ and ⟨w, ξ_i⟩), and the coefficient
///   engine's Gram matrix (n_k + P)²;
/// - per task, the test set: its spanning Gram matrix and factor, 2·r_k² with r₁ = 2m + N₁,
///   r₂ = 4m + N₂, its latent draws n_test·r_k, and materialised vectors n_test·P·D when the weight
///   engine scores a phase or arrays are saved, plus the n_test × D noise of the one being built;
/// - the pre-activations ⟨w_k, x_t^{(q)}⟩ of the phase being scored, n_test·P·2m (margins, §6b);
/// - the process itself, `processBaseline`, once.
/// The estimate errs high (every term is counted as if alive at once); the real peak of the
/// default experiment is well below it.
public struct ResourceEstimate: Sendable, CustomStringConvertible {
    package struct Term: Sendable {
        public let what: String
        /// The key to lower to shrink it.
        public let key: ConfigKey
        public let bytes: Double
    }

    package let terms: [Term]
    /// One run's bytes: the sum of the terms.
    public var bytes: Double { terms.reduce(0) { $0 + $1.bytes } }

    /// The process itself — code, Swift runtime, BLAS and GSL — counted once per process: 64 MB
    /// (a tiny `ptv train` peaks at 33 MB resident in a debug build, 17 MB in release).
    static let processBaseline = 64e6
    /// The largest term.
    package var driver: Term { terms.max { $0.bytes < $1.bytes }! }

    public init(_ c: ExperimentConfig, savingArrays: Bool = false) {
        let m = Double(c.m), n1 = Double(c.N1), n2 = Double(c.N2), p = Double(c.patchCount), nTest = Double(c.n_test)
        let gram = c.resolvedSampler == .gram
        let k = Double(c.gaussianVectorCount)
        let dim = gram ? k + 3 : Double(c.d)
        let records = { (t: Int) in Double(t / c.record_every + 2) }
        let r1 = 2 * m + n1, r2 = 4 * m + n2
        let dimensionKey: ConfigKey = gram ? .N1 : .d
        var terms = [
            Term(what: "training sets (N1 + N2)·P·D", key: dimensionKey, bytes: (n1 + n2) * p * dim * 8),
            // In ℝᵈ the dimension is the factor to lower; in the Gram space D = 3 + K grows with m too.
            Term(what: "filter banks 12·2m·D", key: gram ? .m : .d, bytes: 12 * 2 * m * dim * 8),
            Term(what: "upstream snapshots (T1/record_every)·3·2m·N1", key: .record_every, bytes: records(c.T1) * 3 * 2 * m * n1 * 8),
            Term(what: "downstream snapshots, two phases", key: .record_every, bytes: 2 * records(c.T2) * 3 * 2 * m * n2 * 8),
            Term(what: "coefficient Gram matrices", key: .N1, bytes: ((n1 + p) * (n1 + p) + (n2 + p) * (n2 + p)) * 8),
            Term(what: "test sets' spanning Gram matrices 2·(2m + N1)² + 2·(4m + N2)²", key: .m, bytes: 2 * (r1 * r1 + r2 * r2) * 8),
            Term(what: "test sets' draws n_test·(r1 + r2)", key: .n_test, bytes: nTest * (r1 + r2) * 8),
            Term(what: "a phase's test pre-activations n_test·P·2m", key: .n_test, bytes: nTest * p * 2 * m * 8),
        ]
        let weightEngine = [(c.N1, c.T1), (c.N2, c.T2)].contains { n, t in
            c.engine.resolved(n: n, d: Int(dim), m: c.m, patchCount: c.patchCount, steps: t) == .weights
        }
        if weightEngine || savingArrays {
            terms.append(Term(what: "materialised test vectors 2·n_test·P·D and the noise n_test·D being placed",
                              key: .n_test, bytes: (2 * p + 1) * nTest * dim * 8))
        }
        if gram { terms.append(Term(what: "Bartlett factor K²", key: .N1, bytes: k * k * 8)) }
        self.terms = terms
        multiplyAdds = [(c.N1, c.T1), (c.N2, c.T2), (c.N2, c.T2)].reduce(0) { total, phase in
            let cost = TrainingEngine.estimatedMultiplyAdds(n: phase.0, d: Int(dim), m: c.m, patchCount: c.patchCount, steps: phase.1)
            let engine = c.engine.resolved(n: phase.0, d: Int(dim), m: c.m, patchCount: c.patchCount, steps: phase.1)
            return total + (engine == .weights ? cost.weights : cost.coefficients)
        }
    }

    /// Training's multiply–adds over the three phases, each with the engine it will use
    /// (`TrainingEngine.estimatedMultiplyAdds(n:d:m:patchCount:steps:)`): the work the run is
    /// about to do, announced before it starts.
    public let multiplyAdds: Double

    public var description: String { Self.format(bytes) }

    /// "1.5 GB".
    public static func format(_ bytes: Double) -> String {
        for (unit, size) in [("TB", 1e12), ("GB", 1e9), ("MB", 1e6)] where bytes >= size {
            return String(format: "%.3g %@", bytes / size, unit)
        }
        return String(format: "%.3g kB", bytes / 1e3)
    }

    /// The machine's memory (MemTotal of /proc/meminfo), nil where unknown.
    public static var machineMemory: Double? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kB = Double(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kB * 1024
    }

    /// What `runs` such runs at once need in one process: the baseline plus `runs` × ``bytes``.
    public func total(runs: Int = 1) -> Double { Self.processBaseline + bytes * Double(runs) }

    /// Refuse (`ConfigError` naming the driving key) when `runs` such runs at once would need
    /// more than `limit` bytes.
    public func check(limit: Double, runs: Int = 1, label: String? = nil) throws {
        let total = total(runs: runs)
        guard total <= limit else {
            let d = driver
            let what = runs > 1 ? "\(runs) parallel runs need about \(Self.format(total))" : "one run needs about \(Self.format(total))"
            throw ConfigError(field: d.key.rawValue, "\(label.map { "\($0): " } ?? "")\(what), more than the limit \(Self.format(limit)) (--max-memory); the largest part is the \(d.what) (\(Self.format(d.bytes))): lower \(d.key.rawValue)")
        }
    }
}
