import Testing
@testable import TransferModel

/// The work a run announces before it starts.
struct ResourceEstimateTests {
    /// With `engine: weights` every phase costs T·4m·n·P·D multiply–adds; by hand for the default
    /// sizes (N1 = 80, N2 = 20, m = 10, P = 2, T = 200) with `gram`, where D = 3 + K = 3 + N1 + N2 + 4m
    /// = 143: 200·4·10·2·143·(80 + 20 + 20) = 274 560 000.
    @Test func multiplyAddsOfTheWeightEngineByHand() throws {
        let config = try ExperimentConfig.parse(yaml: "engine: weights\nsampler: gram\n")
        #expect(ResourceEstimate(config).multiplyAdds == 274_560_000)
    }

    /// The coefficient engine is chosen where it is cheaper, so `auto` never announces more work
    /// than either fixed engine.
    @Test func autoAnnouncesTheCheaperEngine() throws {
        let auto = ResourceEstimate(try ExperimentConfig.parse(yaml: "d: 5000\nsampler: vectors\n")).multiplyAdds
        let weights = ResourceEstimate(try ExperimentConfig.parse(yaml: "d: 5000\nsampler: vectors\nengine: weights\n")).multiplyAdds
        let coefficients = ResourceEstimate(try ExperimentConfig.parse(yaml: "d: 5000\nsampler: vectors\nengine: coefficients\n")).multiplyAdds
        #expect(auto == min(weights, coefficients) && auto < weights)
    }
}
