import Foundation
@testable import TheoryTesting
@testable import TransferModel
@testable import Validation

/// A small suite that runs in a couple of seconds: benign configurations on both splits and a
/// harmful one, two seeds each.
enum ValidationFixtures {
    static let suiteYAML = """
        name: mini
        seeds: [0, 1]
        constants: {C: 1.0e-6, C1: 2, C3: 0.1, epsilon: 0.05}
        base: {d: 120, m: 5, N1: 30, N2: 12, T1: 60, T2: 60, n_test: 400, record_every: 10}
        configurations:
          - {label: benign-a, split: calibration, u_norm: 2, v1_norm: 1.5, v2_norm: 1.5}
          - {label: benign-b, split: held-out, u_norm: 2.2, v1_norm: 1.5, v2_norm: 1.5}
          - {label: benign-alpha-1, split: held-out, u_norm: 2.2, v1_norm: 1.5, v2_norm: 1.5, alpha: 1}
          - {label: harmful, split: held-out, u_norm: 0.1, v1_norm: 0.1, v2_norm: 0.1, d: 600}
        """

    static func suite(_ yaml: String = suiteYAML) -> ValidationSuite { try! ValidationSuite.parse(yaml: yaml) }

    /// Runs of the mini suite, recorded once per test process.
    static let recorded = Task { try await TheoryAssertions.record(suite()) }
    static func runs() async throws -> [RunMeasurements] { try await recorded.value }

    /// A copy of proofs/ in a temporary folder, with `file`'s text transformed.
    static func proofsCopy(editing file: String, _ edit: (String) -> String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-proofs-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: TheoryAssertions.proofsDirectory, to: folder)
        let url = folder.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let edited = edit(text)
        precondition(edited != text, "the edit changed nothing in \(file)")
        try edited.write(to: url, atomically: true, encoding: .utf8)
        return folder
    }
}
