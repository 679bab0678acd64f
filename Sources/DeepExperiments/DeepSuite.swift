import DeepNetworks
import Foundation
import NumericsCore
import Platform
import Vocabulary
import Yams

/// How the upstream network hands layers to the downstream one (Algorithm 1 per layer,
/// docs/theory.md §9a): the layers by name pattern, the fraction α of each layer's output
/// channels copied, and whether the copies are frozen. α = 1 copies whole layers.
public struct DeepTransferPlan: Sendable, Equatable {
    public var layers: LayerSelection
    public var alpha: Double
    public var freeze: Bool

    public static let keys = ["layers", "alpha", "freeze"]

    public var transfer: DeepTransfer { DeepTransfer(layers, alpha: alpha, freeze: freeze) }

    /// The plan as a run's identity: `normalisation: follows` marks that a transferred channel's
    /// batch normalisation comes with it (runs stored before that rule are not reused).
    package var jsonObject: [String: JSONValue] {
        ["layers": layers.isShared ? "shared" : layers.patterns.json, "alpha": alpha.json, "freeze": freeze.json, "normalisation": "follows"]
    }

    /// `base` with the keys of `mapping` set; errors name `path.key`.
    static func read(_ mapping: Node.Mapping, base: DeepTransferPlan?, path: String) throws -> DeepTransferPlan {
        var layers = base?.layers, alpha = base?.alpha ?? 1, freeze = base?.freeze ?? false
        for (key, value) in try YAMLInput.entries(mapping, field: path) {
            let field = "\(path).\(key)"
            switch key {
            case "layers":
                if value.scalar?.string == "shared" { layers = .shared; continue }
                guard let list = value.sequence else { throw ConfigError(field: field, "expected shared (every layer the networks share by name and shape) or a list of layer name patterns (e.g. [stem., blocks.9-11])") }
                layers = try LayerSelection(patterns: list.enumerated().map { try KeyReader.label($1, field: "\(field)[\($0)]") }, field: field)
            case "alpha": alpha = try DeepConfig.real(value, field, .closed(0, 1))
            case "freeze": freeze = try KeyReader.flag(KeyReader.text(value, field: field, kind: .flag), field: field)
            default: throw ConfigError(field: field, "unknown key (allowed: \(keys.joined(separator: ", ")))")
            }
        }
        // Algorithm 1 on the whole network unless a plan names its layers (docs/theory.md §9a).
        return DeepTransferPlan(layers: layers ?? .shared, alpha: alpha, freeze: freeze)
    }
}

/// A deep validation suite (`validation/deep-quick.yaml`; docs/theory.md §9a): configurations —
/// an upstream task and network, a downstream task and network, and a transfer plan — run at
/// every seed, and the statements of `proofs/deep/` judged on them.
///
/// ```yaml
/// kind: deep
/// name: deep-quick
/// seeds: [0, 1, 2]
/// upstream:   {model: …, classes: [0, 2], train_samples: 1000, epochs: 10}   # every configuration's defaults
/// downstream: {model: …, classes: [6, 1], train_samples: 250, epochs: 20}
/// transfer:   {layers: [stem.], alpha: 0.5, freeze: false}
/// configurations:
///   - {label: ratio-2, upstream: {train_samples: 500}}
/// curves:                               # optional gain curves (docs/theory.md §9e)
///   - {axis: downstream_samples, values: [250, 500, 1000]}
/// statements: all                        # or a list of ids of proofs/deep/
/// ```
/// The upstream and downstream mappings take the keys of a `ptv deep train` config; a
/// configuration's keys override the suite's. Each point of a curve adds two configurations, the
/// suite's own with the axis set to the point's value and its shuffled-upstream control.
public struct DeepSuite: Sendable {
    public struct Configuration: Sendable {
        public var label: String
        public var upstream: DeepConfig
        public var downstream: DeepConfig
        public var transfer: DeepTransferPlan

        /// Refuse, before anything trains, a plan whose layers the downstream network lacks or
        /// whose shapes differ upstream: the plan is tried on freshly drawn networks.
        package func checkTransfer(field: String) throws {
            let shape = upstream.dataset == .fashion_mnist ? (1, 28) : (3, 32)
            var rng = SeededGenerator(seed: 0, stream: "deep-plan-check")
            func network(_ config: DeepConfig) -> Sequential<Float> {
                config.model.network(channels: shape.0, side: shape.1, classes: config.classes?.count ?? config.dataset.classCount, using: &rng)
            }
            let arrays = Dictionary(uniqueKeysWithValues: Checkpoint.arrays(of: network(upstream)).map { ($0.name, $0.value) })
            try transfer.transfer.apply(upstream: arrays, into: network(downstream), field: field, using: &rng)
        }

        /// Whether `other` runs the same networks (labels aside): the store shares their runs.
        package func runsLike(_ other: Configuration) -> Bool {
            upstream == other.upstream && downstream == other.downstream && transfer == other.transfer
        }

        /// N₁/N₂, the upstream over the downstream training images.
        package var sampleRatio: Double { Double(upstream.trainSamples) / Double(downstream.trainSamples) }
    }

    /// Transfer − scratch along one axis (docs/theory.md §9e), with the control at every point:
    /// the same point with the upstream network trained on shuffled labels.
    public struct GainCurve: Sendable {
        public struct Point: Sendable {
            /// The axis value.
            public var x: Double
            /// The configuration with the upstream trained on its real labels, and its control.
            public var label: String, control: String
        }
        public var axis: DeepStatement.Axis
        public var points: [Point]

        static let keys = ["axis", "values"]
        /// The training images a task may ask for (the `train_samples` key's range).
        static var imageRange: ClosedRange<Int> {
            guard case .integer(let range) = DeepConfigKey.train_samples.kind else { preconditionFailure("train_samples is an integer key") }
            return range
        }

        /// One point's configuration: `base` with the axis set to `value`. The downstream size
        /// keeps the base's N₁/N₂ (N₁ rounded to a whole image).
        static func configuration(_ base: Configuration, axis: DeepStatement.Axis, value: Double, field: String) throws -> Configuration {
            var c = base
            func images(_ count: Double, _ what: String) throws -> Int {
                let n = count.rounded()
                guard n >= Double(imageRange.lowerBound), n <= Double(imageRange.upperBound) else {
                    throw ConfigError(field: field, "\(value) gives \(what) = \(count), outside \(imageRange.lowerBound)–\(imageRange.upperBound) images")
                }
                return Int(n)
            }
            switch axis {
            case .sampleRatio: c.upstream.trainSamples = try images(value * Double(base.downstream.trainSamples), "N₁")
            case .downstreamSamples:
                c.downstream.trainSamples = try images(value, "N₂")
                c.upstream.trainSamples = try images(base.sampleRatio * value, "N₁")
            case .labelNoise: c.downstream.labelNoise = value
            case .alpha: c.transfer.alpha = value
            case .none: throw ConfigError(field: field, "a curve needs an axis")
            }
            return c
        }

        /// Read one entry of `curves`, appending its configurations to `configurations`.
        static func read(_ node: Node, base: Configuration, path: String, into configurations: inout [Configuration]) throws -> GainCurve {
            guard let entry = node.mapping else { throw ConfigError(field: path, "expected a mapping with axis and values") }
            var axis: DeepStatement.Axis?, values: [Node] = []
            for (key, value) in try YAMLInput.entries(entry, field: path) {
                switch key {
                case "axis":
                    let text = try KeyReader.label(value, field: "\(path).axis")
                    guard let a = DeepStatement.Axis(rawValue: text), a != .none else {
                        let allowed = DeepStatement.Axis.allCases.filter { $0 != .none }.map(\.rawValue)
                        throw ConfigError(field: "\(path).axis", "'\(InputText.excerpt(text))' is not allowed (one of \(allowed.joined(separator: ", ")))")
                    }
                    axis = a
                case "values":
                    guard let list = value.sequence, list.count >= 2 else { throw ConfigError(field: "\(path).values", "expected a list of at least 2 values") }
                    values = Array(list)
                default: throw ConfigError(field: "\(path).\(key)", "unknown key (allowed: \(keys.joined(separator: ", ")))")
                }
            }
            guard let axis else { throw ConfigError(field: "\(path).axis", "every curve names its axis") }
            guard !values.isEmpty else { throw ConfigError(field: "\(path).values", "every curve lists its values (at least 2)") }
            guard !base.upstream.shuffleLabels else {
                throw ConfigError(field: "upstream.shuffle_labels", "a curve's control shuffles the upstream labels, so the suite's own upstream must keep them")
            }
            var points: [Point] = []
            for (i, node) in values.enumerated() {
                let field = "\(path).values[\(i)]"
                let text = try KeyReader.label(node, field: field)
                let value: Double
                switch axis {
                case .sampleRatio: value = try DeepConfig.real(node, field, .positive)
                case .downstreamSamples: value = Double(try DeepConfig.integer(node, field, imageRange))
                case .labelNoise:
                    guard case .real(let domain) = DeepConfigKey.label_noise.kind else { preconditionFailure("label_noise is a real key") }
                    value = try DeepConfig.real(node, field, domain)
                case .alpha: value = try DeepConfig.real(node, field, .closed(0, 1))
                case .none: value = .nan
                }
                guard !points.contains(where: { $0.x == value }) else { throw ConfigError(field: field, "\(text) is listed twice") }
                var real = try configuration(base, axis: axis, value: value, field: field)
                real.label = "\(axis.rawValue)-\(text)"
                var control = real
                control.label = real.label + "-shuffled"
                control.upstream.shuffleLabels = true
                for c in [real, control] {
                    guard !configurations.contains(where: { $0.label == c.label }) else {
                        throw ConfigError(field: field, "the curve's configuration '\(c.label)' is also a label of configurations")
                    }
                    configurations.append(c)
                }
                points.append(Point(x: value, label: real.label, control: control.label))
            }
            return GainCurve(axis: axis, points: points)
        }
    }

    public var name: String
    public var description: String
    public var seeds: [UInt64]
    public var configurations: [Configuration]
    /// The gain curves; their configurations are in `configurations` too.
    public var curves: [GainCurve] = []
    /// Ids of the statements judged (nil: every statement of the folder).
    public var statements: [String]?

    public static let keys = ["kind", "name", "description", "seeds", "upstream", "downstream", "transfer", "configurations", "curves", "statements"]

    /// Whether a suite file is a deep suite (`kind: deep` at the top).
    public static func isDeep(_ url: URL) -> Bool {
        guard let text = try? YAMLInput.text(of: url, field: "suite"), let root = try? YAMLInput.compose(text, field: "suite") else { return false }
        return root.mapping?["kind"]?.string == "deep"
    }

    public static func load(from url: URL) throws -> DeepSuite {
        try parse(yaml: YAMLInput.text(of: url, field: "suite"), name: url.deletingPathExtension().lastPathComponent)
    }

    public static func parse(yaml text: String, name fallback: String = "deep") throws -> DeepSuite {
        guard let root = try YAMLInput.compose(text, field: "suite"), let fields = root.mapping else {
            throw ConfigError(field: "suite", "a deep suite is a mapping of \(keys.joined(separator: ", "))")
        }
        for (key, _) in try YAMLInput.entries(fields, field: "") where !keys.contains(key) {
            throw ConfigError(field: key, "unknown key (allowed: \(keys.joined(separator: ", ")))")
        }
        guard fields["kind"]?.string == "deep" else { throw ConfigError(field: "kind", "a deep suite says 'kind: deep'") }
        func mapping(_ node: Node?, _ field: String) throws -> Node.Mapping? {
            guard let node else { return nil }
            guard let m = node.mapping else { throw ConfigError(field: field, "expected a mapping") }
            return m
        }
        let upstream = try mapping(fields["upstream"], "upstream").map { try DeepConfig.read($0, base: DeepConfig(), path: "upstream") } ?? DeepConfig()
        let downstream = try mapping(fields["downstream"], "downstream").map { try DeepConfig.read($0, base: DeepConfig(), path: "downstream") } ?? DeepConfig()
        let transfer = try mapping(fields["transfer"], "transfer").map { try DeepTransferPlan.read($0, base: nil, path: "transfer") }

        guard let seedList = fields["seeds"] else { throw ConfigError(field: "seeds", "expected a non-empty list of seeds") }
        let seeds = try YAMLInput.seeds(seedList)
        guard seeds.count >= 2 else { throw ConfigError(field: "seeds", "at least 2 seeds are needed for an interval over seeds") }

        // Configurations may be left out when curves give them.
        var list: [Node] = []
        if let node = fields["configurations"] {
            guard let entries = node.sequence, !entries.isEmpty else { throw ConfigError(field: "configurations", "expected a non-empty list of configurations") }
            list = Array(entries)
        } else if fields["curves"] == nil {
            throw ConfigError(field: "configurations", "expected a non-empty list of configurations (or curves)")
        }
        var configurations: [Configuration] = []
        for (k, node) in list.enumerated() {
            let path = "configurations[\(k)]"
            guard let entry = node.mapping else { throw ConfigError(field: path, "expected a mapping with label, upstream, downstream, transfer") }
            var label: String?, up = upstream, down = downstream, plan = transfer
            for (key, value) in try YAMLInput.entries(entry, field: path) {
                switch key {
                case "label": label = try KeyReader.label(value, field: "\(path).label")
                case "upstream": up = try DeepConfig.read(try mapping(value, "\(path).upstream")!, base: upstream, path: "\(path).upstream")
                case "downstream": down = try DeepConfig.read(try mapping(value, "\(path).downstream")!, base: downstream, path: "\(path).downstream")
                case "transfer": plan = try DeepTransferPlan.read(try mapping(value, "\(path).transfer")!, base: transfer, path: "\(path).transfer")
                default: throw ConfigError(field: "\(path).\(key)", "unknown key (allowed: label, upstream, downstream, transfer)")
                }
            }
            guard let label, !label.isEmpty else { throw ConfigError(field: "\(path).label", "every configuration needs a label") }
            guard !configurations.contains(where: { $0.label == label }) else { throw ConfigError(field: "\(path).label", "'\(InputText.excerpt(label))' is used twice") }
            guard let plan else { throw ConfigError(field: "\(path).transfer", "no transfer plan: give transfer.layers here or at the top") }
            guard up.dataset == down.dataset else {
                throw ConfigError(field: "\(path).downstream.dataset", "the two tasks draw from one dataset (upstream \(up.dataset.rawValue), downstream \(down.dataset.rawValue))")
            }
            configurations.append(Configuration(label: label, upstream: up, downstream: down, transfer: plan))
        }
        var curves: [GainCurve] = []
        if let node = fields["curves"] {
            guard let entries = node.sequence, !entries.isEmpty else { throw ConfigError(field: "curves", "expected a non-empty list of curves") }
            guard let transfer else { throw ConfigError(field: "transfer", "curves vary the suite's own configuration: give transfer at the top") }
            let base = Configuration(label: "", upstream: upstream, downstream: downstream, transfer: transfer)
            for (k, entry) in entries.enumerated() {
                curves.append(try GainCurve.read(entry, base: base, path: "curves[\(k)]", into: &configurations))
            }
        }
        var statements: [String]? = nil
        if let node = fields["statements"], node.string != "all" {
            guard let ids = node.sequence, !ids.isEmpty else { throw ConfigError(field: "statements", "expected 'all' or a non-empty list of statement ids") }
            statements = try ids.enumerated().map { try KeyReader.label($1, field: "statements[\($0)]") }
        }
        return DeepSuite(name: fields["name"]?.string ?? fallback, description: fields["description"]?.string ?? "",
                         seeds: seeds, configurations: configurations, curves: curves, statements: statements)
    }
}
