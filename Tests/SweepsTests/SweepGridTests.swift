import Foundation
@testable import Platform
@testable import RunStore
@testable import Sweeps
import Testing
@testable import TransferModel
@testable import Vocabulary

/// Grid files: cells, keys, and errors that name the field.
struct SweepGridTests {
    static let good = """
    base: {d: 50, m: 3, N1: 12, N2: 6, T1: 20, T2: 20, n_test: 50, record_every: 10}
    grid:
      u_norm: [1, 2]
      d: [40, 60, 80]
    seeds: [0, 5]
    """

    @Test func cellsAreTheCartesianProductLastKeyFastest() throws {
        let grid = try SweepGrid.parse(yaml: Self.good)
        let jobs = try grid.jobs
        #expect(grid.cellCount == 6 && grid.runCount == 12 && jobs.count == 12)
        #expect(grid.axes.map(\.key) == ["u_norm", "d"])
        #expect(jobs.map { $0.config.d } == [40, 40, 60, 60, 80, 80, 40, 40, 60, 60, 80, 80])
        #expect(jobs.map { $0.config.u_norm } == [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
        #expect(jobs.map(\.seed) == [0, 5, 0, 5, 0, 5, 0, 5, 0, 5, 0, 5])
        #expect(jobs[0].config.m == 3 && jobs[0].config.N1 == 12)  // base applied
        #expect(Set(jobs.map(\.key)).count == 12)
        #expect(Set(jobs.map(\.cellKey)).count == 6)
        #expect(jobs[0].cellKey == jobs[1].cellKey)
    }

    /// A sweep records the final step only unless its base asks for trajectories (docs/theory.md §6d).
    @Test func sweepsRecordTheFinalStepUnlessAsked() throws {
        #expect(try SweepGrid.parse(yaml: Self.good).jobs.allSatisfy { $0.config.record == .final })
        let asked = Self.good.replacingOccurrences(of: "base: {", with: "base: {record: trajectories, ")
        #expect(try SweepGrid.parse(yaml: asked).jobs.allSatisfy { $0.config.record == .trajectories })
    }

    /// A job built from the previous job of its cell (the seed's value replaced in its texts) is
    /// the job built from scratch: same key, cell key and stored config text — for seeds that are
    /// prefixes of each other, 0, the largest seed, and a constant whose value writes as the seed.
    @Test func jobsReseededFromTheirCellAreBuiltFromScratch() throws {
        let grid = try SweepGrid.parse(yaml: """
            base: {d: 50, m: 3, N1: 12, N2: 6, T1: 20, T2: 20, n_test: 50, constants: {C: 1}}
            grid:
              u_norm: [1, 12]
            seeds: [1, 12, 0, 121, 18446744073709551615, 2]
            """)
        var previous: SweepJob?
        for index in 0..<grid.runCount {
            let reused = try grid.job(at: index, previous: previous), fresh = try grid.job(at: index)
            #expect(reused.key == fresh.key && reused.cellKey == fresh.cellKey && reused.configJSON == fresh.configJSON,
                    "run \(index)")
            #expect(reused.configJSON == RunKey.canonicalJSON(fresh.config) && reused.config.seed == fresh.seed)
            previous = reused
        }
        #expect(RunKey.reseeded("{\"seed\":1,\"x\":{\"seed\":1}}", from: 1, to: 2) == nil)  // twice: built anew
        #expect(RunKey.reseeded("{\"seed\":12}", from: 1, to: 2) == nil)  // only a prefix of another value
    }

    /// The direct comparison with the defaults agrees with comparing JSON texts, key by key,
    /// on configs that differ from the defaults in numbers, strings, flags and the constants.
    @Test func defaultsComparedDirectlyAsByText() throws {
        let variants: [[String: String]] = [[:], ["d": "401", "u_norm": "2.5", "sampler": "gram", "layout": "separate"],
                                            ["N1": "80", "eta": "1e-3", "variant": "frozen", "p": "0.1"], ["alpha": "1", "rescale": "2"]]
        for values in variants {
            let config = try ExperimentConfig.parse(yaml: values.map { "\($0.key): \($0.value)" }.joined(separator: "\n"))
            for (key, value) in config.jsonObject {
                let byText = RunKey.defaults[key]?.canonicalText == value.canonicalText
                #expect(value.writesLike(RunKey.defaults[key] ?? .null) == byText, "\(key) in \(values)")
            }
        }
    }

    @Test func keysAreSHA256OfTheCanonicalConfigWithoutEngine() throws {
        #expect(RunHash.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(RunHash.hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var config = ExperimentConfig()
        let key = RunKey.key(config)
        #expect(key == RunHash.hex("{}".utf8))   // every key at its default: nothing to identify
        config.d = 401
        #expect(RunKey.key(config) == RunHash.hex("{\"d\":401}".utf8))   // only what differs from the defaults
        #expect(RunKey.canonicalJSON(config).contains("\"transfer_noise\":0"))   // the stored config is whole
        config.d = 400
        config.engine = .weights
        #expect(RunKey.key(config) == key)  // the engine does not change results
        config.seed = 1
        #expect(RunKey.key(config) != key)
        #expect(RunKey.key(config, includingSeed: false) == RunKey.key(ExperimentConfig(), includingSeed: false))
        #expect(!RunKey.canonicalJSON(config).contains(" "))
    }

    static let errors: [(String, String)] = [
        ("grid: {d: [100, 0]}\nseeds: [0]\n", "grid.d[1]"),
        ("base: {eta: -1}\ngrid: {d: [100]}\nseeds: [0]\n", "base.eta"),
        ("base: {bogus: 1}\ngrid: {d: [100]}\nseeds: [0]\n", "base.bogus"),
        ("grid: {bogus: [1]}\nseeds: [0]\n", "grid.bogus"),
        ("grid: {d: 5}\nseeds: [0]\n", "grid.d"),
        ("grid: {d: []}\nseeds: [0]\n", "grid.d"),
        ("grid: {d: [100, 100]}\nseeds: [0]\n", "grid.d[1]"),
        ("grid: {layout: [combined, diagonal]}\nseeds: [0]\n", "grid.layout[1]"),
        ("grid: {seed: [1]}\nseeds: [0]\n", "grid.seed"),
        ("base: {seed: 3}\ngrid: {d: [100]}\nseeds: [0]\n", "base.seed"),
        ("grid: {d: [100]}\nseeds: [0, x]\n", "seeds[1]"),
        ("grid: {d: [100]}\nseeds: [0, -1]\n", "seeds[1]"),
        ("grid: {d: [100]}\nseeds: [2, 2]\n", "seeds[1]"),
        ("grid: {d: [100]}\n", "seeds"),
        ("grid: {d: [100]}\nseeds: []\n", "seeds"),
        ("seeds: [0]\n", "grid"),
        ("grid: {d: [100]}\nseeds: [0]\nextra: 1\n", "extra"),
        ("- 1\n- 2\n", "grid file"),
    ]

    @Test(arguments: errors)
    func errorsNameTheField(yaml: String, field: String) {
        do {
            _ = try SweepGrid.parse(yaml: yaml)
            Issue.record("no error for \(yaml)")
        } catch let error as ConfigError {
            #expect(error.field == field, "\(error)")
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// Grids too large to run are refused from the axis lengths alone, before any cell is built,
/// and their size is computed without overflow (issue 11's regressions: 10²⁰ cells trapped).
struct SweepGridSizeTests {
    @Test func hugeGridsAreRefusedBeforeExpansion() throws {
        let keys = ["d", "m", "N1", "N2", "u_norm", "v1_norm", "v2_norm", "sigma_p1", "sigma_p2", "alpha"]
        func value(_ key: String, _ i: Int) -> String {
            switch key {
            case "d": return String(1000 + i)
            case "alpha": return String(Double(i) / 100)
            default: return String(i)
            }
        }
        let axes: [String] = keys.map { key in
            let values: [String] = (1...100).map { value(key, $0) }
            return "  \(key): [" + values.joined(separator: ", ") + "]"
        }
        let yaml = "grid:\n" + axes.joined(separator: "\n") + "\nseeds: [0]\n"
        do {
            _ = try SweepGrid.parse(yaml: yaml)
            Issue.record("accepted 10^20 cells")
        } catch let error as ConfigError {
            #expect(error.field == "grid" && error.problem.contains("more than 2^63"), "\(error)")
        }
        // 1 001 × 1 000 runs: just over the limit, with the exact count in the message.
        let wide = "grid:\n  d: [" + (1000...2000).map(String.init).joined(separator: ", ") + "]\nseeds: [" + (0..<1000).map(String.init).joined(separator: ", ") + "]\n"
        #expect(throws: ConfigError.self) { try SweepGrid.parse(yaml: wide) }
        do { _ = try SweepGrid.parse(yaml: wide) } catch let error as ConfigError { #expect(error.problem.hasPrefix("1001000 runs"), "\(error)") }
    }
}

/// A key repeated under a YAML tag (`d: 20` and `!x d: 30`) used to trap in a dictionary
/// initialiser, or be silently taken; tags are now refused wherever they stand (the one scalar
/// policy, issue 26), naming the file and the tag's position, in a config, a grid's base and a suite.
struct DuplicateKeyTests {
    @Test func repeatedKeysUnderATagAreRefused() throws {
        for (parse, field, position) in [({ _ = try SweepGrid.parse(yaml: "base: {d: 20, !x d: 30}\ngrid: {u_norm: [1, 2]}\nseeds: [0]\n") }, "grid file", "1:15"),
                                         ({ _ = try ExperimentConfig.parse(yaml: "d: 20\n!x d: 30\n") }, "file", "2:1"),
                                         ({ _ = try ExperimentConfig.parse(yaml: "constants: {C1: 2, !x C1: 3}\n") }, "file", "1:20")]
            as [(() throws -> Void, String, String)] {
            do { try parse(); Issue.record("accepted a tagged key of \(field)") } catch let error as ConfigError {
                #expect(error.field == field && error.problem.hasPrefix("\(position): a tag ('!x') is not allowed"), "\(error)")
            }
        }
    }

    /// A key repeated without a tag is refused by the composer, naming it.
    @Test func repeatedKeysAreRefusedNamingThem() throws {
        do { _ = try ExperimentConfig.parse(yaml: "d: 20\nd: 30\n"); Issue.record("accepted a repeated d") } catch let error as ConfigError {
            #expect(error.problem.contains("'d' given twice"), "\(error)")
        }
    }
}
