import NumericsCore
import Platform
import Vocabulary

/// Algorithm 1 for deep networks (docs/theory.md §9; issue 15): in every transferred layer, a
/// fraction α of the output channels — rows of a convolution's or linear layer's weight, with
/// their incoming weights and their bias — is copied from the upstream network, chosen
/// uniformly at random per layer from the stream `rng`; the other rows keep the fresh draw.
/// With α = 1 whole layers are copied. Inherited rows can be frozen.
public struct DeepTransfer: Sendable {
    /// Which weights transfer: a name is selected when it starts with one of these prefixes
    /// (`stem.`, `stage1.`, `blocks.9.`) and is a weight of rank 2 or more; a prefix that selects nothing is an error.
    public var prefixes: [String]
    public var alpha: Double
    public var freeze: Bool

    /// The layers of `selection`.
    public init(_ selection: LayerSelection, alpha: Double, freeze: Bool = false) {
        self.init(prefixes: selection.prefixes, alpha: alpha, freeze: freeze)
    }

    public init(prefixes: [String], alpha: Double, freeze: Bool = false) {
        self.prefixes = prefixes
        self.alpha = alpha
        self.freeze = freeze
    }

    /// Copy the chosen rows of `upstream`'s arrays into `network`; returns, per transferred
    /// weight, the rows inherited. A selected weight the upstream lacks, or of another shape, is
    /// a `ConfigError` naming `field` (nothing is changed then).
    @discardableResult
    public func apply(upstream: [String: Tensor<Float>], into network: some Layer<Float>, field: String,
                      using rng: inout SeededGenerator) throws -> [String: [Int]] {
        let parameters = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.parameter) })
        let weights = network.parameters.filter { entry in
            entry.name.hasSuffix(".weight") && entry.parameter.value.shape.count >= 2 && prefixes.contains { entry.name.hasPrefix($0) }
        }
        if let unmatched = prefixes.first(where: { prefix in !weights.contains { $0.name.hasPrefix(prefix) } }) {
            throw ConfigError(field: field, "'\(InputText.excerpt(unmatched))' selects no weight of the downstream network")
        }
        for (name, parameter) in weights {
            guard let source = upstream[name] else { throw ConfigError(field: field, "the upstream network has no '\(InputText.excerpt(name))'") }
            guard source.shape == parameter.value.shape else {
                throw ConfigError(field: field, "'\(InputText.excerpt(name))' has shape \(source.shape) upstream and \(parameter.value.shape) downstream")
            }
        }
        var inherited: [String: [Int]] = [:]
        for (name, parameter) in weights {
            let rows = parameter.value.shape[0], size = parameter.value.count / rows
            let count = Int((alpha * Double(rows) * (1 + 1e-12)).rounded(.down))
            let chosen = rng.choose(count, from: rows).sorted()
            let source = upstream[name]!
            for r in chosen {
                parameter.value.storage.replaceSubrange((r * size)..<((r + 1) * size), with: source.storage[(r * size)..<((r + 1) * size)])
            }
            let biasName = String(name.dropLast("weight".count)) + "bias"
            if let bias = parameters[biasName], let upstreamBias = upstream[biasName], upstreamBias.shape == bias.value.shape {
                for r in chosen { bias.value.storage[r] = upstreamBias.storage[r] }
            }
            if freeze { parameter.freeze(rows: chosen) }
            inherited[name] = chosen
        }
        return inherited
    }
}
