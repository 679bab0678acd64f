@testable import NumericsCore
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

/// Transfer rules written as compositions under `variant:` (docs/theory.md §4a).
struct TransferRecipeTests {
    static let small = "m: 6\nd: 120\nN1: 20\nN2: 10\nT1: 30\nT2: 30\nn_test: 200\n"

    /// Each built-in variant and the composition that spells it out give the same run, bit for
    /// bit: same inherited slots, same final filters, same test outputs.
    @Test(arguments: [
        ("variant: filter\nalpha: 0.5\n", "variant: {selection: random, fraction: 0.5}\n"),
        ("variant: frozen\n", "variant: {selection: random, transform: {freeze: true}}\n"),
        ("variant: rescaled\nrescale: 2.5\n", "variant: {selection: random, transform: {scale: 2.5}}\n"),
        ("variant: random_slots\n", "variant: {selection: any_class}\n"),
        ("variant: top_signal\n", "variant: {selection: top_signal}\n"),
        ("variant: weight\nsampler: vectors\n", "variant: {selection: coordinates}\nsampler: vectors\n"),
        ("variant: filter\nalpha: 0.75\ntransfer_noise: 0.01\nsampler: vectors\n",
         "variant: {selection: random, fraction: 0.75, transform: {noise: 0.01}}\nsampler: vectors\n"),
    ])
    func compositionsReproduceTheBuiltIns(builtIn: String, composed: String) async throws {
        let a = try await TransferExperiment(config: Fixtures.config(Self.small + builtIn)).run(phases: [.upstream, .transfer])[1]
        let b = try await TransferExperiment(config: Fixtures.config(Self.small + composed)).run(phases: [.upstream, .transfer])[1]
        #expect(a.inheritance?.inheritedSlots == b.inheritance?.inheritedSlots)
        #expect(a.inheritance?.frozen == b.inheritance?.frozen)
        #expect(a.run.initial.weights.storage == b.run.initial.weights.storage, "\(composed)")
        #expect(a.run.final.weights.storage == b.run.final.weights.storage, "\(composed)")
        #expect(a.testOutputs == b.testOutputs)
    }

    /// class_balanced: each class inherits ⌊αm⌋ filters, ⌈k/2⌉ from its own upstream class and
    /// ⌊k/2⌋ from the other, each upstream filter at most once, each copied whole.
    @Test(arguments: [0.5, 0.7, 1.0])
    func classBalancedTakesHalfFromEachClass(alpha: Double) {
        let m = 10, d = 5
        var rng = SeededGenerator(seed: 21)
        let upstream = FilterBank.gaussian(m: m, d: d, sigma0: 1, using: &rng)
        let fresh = FilterBank.gaussian(m: m, d: d, sigma0: 1, using: &rng)
        let rule = TransferRecipe(name: "b", selection: .class_balanced).rule
        let result = rule.apply(TransferContext(upstream: upstream, fresh: fresh, alpha: alpha), using: &rng)
        let k = Int(alpha * Double(m))
        #expect(result.inheritedSlots.map(\.count) == [k, k])
        #expect(Set(result.sources.values).count == 2 * k)   // each upstream filter used once
        for c in 0..<2 {
            let rows = result.inheritedSlots[c].map { c * m + $0 }
            let own = rows.filter { (result.sources[$0]! < m) == (c == 0) }.count
            #expect(own == (k + 1) / 2 && rows.count - own == k / 2, "class \(c): \(own) of \(k) from its own class")
            for row in rows { #expect(result.filters.weights.row(row) == upstream.weights.row(result.sources[row]!)) }
        }
    }

    /// The config echoes a composition whole, with its fraction as alpha.
    @Test func compositionIsEchoed() throws {
        let config = try ExperimentConfig.parse(yaml: "variant: {name: top-frozen, selection: top_signal, fraction: 0.25, transform: {scale: 2, freeze: true}}\n")
        #expect(config.alpha == 0.25)
        let echoed = try #require(config.jsonObject["variant"]?.object)
        #expect(echoed["name"] == "top-frozen" && echoed["selection"] == "top_signal")
        #expect(echoed["transform"]?.object?["scale"]?.number == 2)
        #expect(config.transferRecipe == TransferRecipe(name: "top-frozen", selection: .top_signal, scale: 2, freeze: true))
    }

    /// Bad compositions are refused naming the field.
    @Test(arguments: [
        ("variant: {selection: best}\n", "variant.selection"),
        ("variant: {transform: {scale: 2}}\n", "variant.selection"),
        ("variant: {selection: random, fraction: 1.5}\n", "variant.fraction"),
        ("variant: {selection: random, transform: {scale: }}\n", "variant.transform.scale"),
        ("variant: {selection: random, transform: {noise: -1}}\n", "variant.transform.noise"),
        ("variant: {selection: random, transform: {flip: 1}}\n", "variant.transform.flip"),
        ("variant: {selection: random, transform: {freeze: maybe}}\n", "variant.transform.freeze"),
        ("variant: {selection: coordinates, transform: {freeze: true}}\n", "variant.transform.freeze"),
        ("variant: {selection: random, fraction: 0.5}\nalpha: 0.5\n", "variant.fraction"),
        ("variant: {selection: random, colour: red}\n", "variant.colour"),
        ("variant: {selection: random, name: 'a b'}\n", "variant.name"),
        ("variant: {selection: top_snr}\nT1: 0\n", "variant"),
        ("variant: top_snr\nT1: 0\n", "variant"),
        ("variant: {selection: coordinates}\nsampler: gram\n", "sampler"),
        ("variant: [random]\n", "variant"),
    ])
    func badCompositionsNameTheField(yaml: String, field: String) {
        do {
            _ = try ExperimentConfig.parse(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(yaml): \(error)")
            #expect(!"\(error)".contains("\n"))
        } catch {
            Issue.record("\(yaml): \(error)")
        }
    }
}

/// A rule that inherits degenerate filters (scale 0: zero vectors, so the downstream test set's
/// Gram matrix is singular) still leaves scratch exactly as Algorithm 1 does: the audit's pairing.
struct DegenerateRuleTests {
    @Test(arguments: ["sampler: gram\n", "sampler: vectors\n"])
    func scratchIgnoresZeroInheritedFilters(sampler: String) async throws {
        let base = "m: 5\nd: 120\nN1: 30\nN2: 12\nT1: 60\nT2: 60\nn_test: 400\nu_norm: 2\nv1_norm: 1.5\nv2_norm: 1.5\n" + sampler
        let filter = try await TransferExperiment(config: Fixtures.config(base + "variant: filter\n")).run()
        let zeroed = try await TransferExperiment(config: Fixtures.config(base + "variant: {selection: random, transform: {scale: 0}}\n")).run()
        // Equal up to rounding: the same scratch run, but the products run through BLAS with a
        // different number of rows, and OpenBLAS blocks (and so sums) by shape and by the CPU's
        // kernel. 1e-9 of the output scale is ~10⁷ ulps, far below any change of a prediction.
        // (In ℝᵈ the test vectors also differ in directions scratch never sees.)
        let scale = filter[2].testOutputs.map(abs).max()!
        let worst = zip(filter[2].testOutputs, zeroed[2].testOutputs).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-9 * scale, "max |Δf| = \(worst)")
        #expect(filter[2].testScore.error == zeroed[2].testScore.error)
        #expect(abs(filter[2].testScore.loss - zeroed[2].testScore.loss) <= 1e-9 * filter[2].testScore.loss)
        #expect(zeroed[1].inheritance.map { inheritance in
            inheritance.sources.keys.allSatisfy { row in zeroed[1].run.initial.weights.row(row).allSatisfy { $0 == 0 } }
        } == true)
    }
}
