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
    /// Every weight of rank 2 or more that the upstream network has under the same name and
    /// shape, except the classifier's (`prefixes` unused).
    public var shared: Bool
    public var alpha: Double
    public var freeze: Bool

    /// The classifier's parameters: never shared, since the two tasks' classes differ.
    static let classifierPrefixes = ["fc.", "head."]

    /// The layers of `selection`.
    public init(_ selection: LayerSelection, alpha: Double, freeze: Bool = false) {
        self.init(prefixes: selection.prefixes, shared: selection.isShared, alpha: alpha, freeze: freeze)
    }

    public init(prefixes: [String], shared: Bool = false, alpha: Double, freeze: Bool = false) {
        self.prefixes = prefixes
        self.shared = shared
        self.alpha = alpha
        self.freeze = freeze
    }

    /// The batch normalisation that follows a convolution's output channels, by the networks'
    /// naming (`stem.conv` → `stem.bn`, `block0.conv2` → `block0.bn2`, `downsample.0` →
    /// `downsample.1`); nil for any other weight.
    static func normalisation(after weight: String) -> String? {
        guard weight.hasSuffix(".weight") else { return nil }
        var parts = weight.dropLast(".weight".count).split(separator: ".").map(String.init)
        guard let last = parts.popLast() else { return nil }
        if last.hasPrefix("conv"), last.dropFirst(4).allSatisfy(\.isNumber) { return (parts + ["bn" + last.dropFirst(4)]).joined(separator: ".") }
        if last == "0", parts.last == "downsample" { return (parts + ["1"]).joined(separator: ".") }
        return nil
    }

    /// Copy the chosen rows of `upstream`'s arrays into `network`; returns, per transferred
    /// weight, the rows inherited. A selected weight the upstream lacks, or of another shape, is
    /// a `ConfigError` naming `field` (nothing is changed then).
    @discardableResult
    public func apply(upstream: [String: Tensor<Float>], into network: some Layer<Float>, field: String,
                      using rng: inout SeededGenerator) throws -> [String: [Int]] {
        let parameters = Dictionary(uniqueKeysWithValues: (network.parameters + network.buffers).map { ($0.name, $0.parameter) })
        let candidates = network.parameters.filter { $0.name.hasSuffix(".weight") && $0.parameter.value.shape.count >= 2 }
        let weights = shared
            ? candidates.filter { entry in
                upstream[entry.name]?.shape == entry.parameter.value.shape && !Self.classifierPrefixes.contains { entry.name.hasPrefix($0) }
            }
            : candidates.filter { entry in prefixes.contains { entry.name.hasPrefix($0) } }
        if shared, weights.isEmpty { throw ConfigError(field: field, "the two networks share no layer by name and shape") }
        if let unmatched = prefixes.first(where: { prefix in !weights.contains { $0.name.hasPrefix(prefix) } }), !shared {
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
            // The bias and the following normalisation's scale, shift and running statistics
            // follow their channels.
            let layer = String(name.dropLast(".weight".count))
            let perChannel = [layer + ".bias"] + (Self.normalisation(after: name).map { norm in
                ["weight", "bias", "running_mean", "running_var"].map { "\(norm).\($0)" }
            } ?? [])
            for arrayName in perChannel {
                guard let target = parameters[arrayName], let source = upstream[arrayName], source.shape == target.value.shape,
                      target.value.shape == [rows] else { continue }
                for r in chosen { target.value.storage[r] = source.storage[r] }
            }
            if freeze { parameter.freeze(rows: chosen) }
            inherited[name] = chosen
        }
        return inherited
    }
}
