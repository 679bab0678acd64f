//===--- ProofLoadError.swift ---------------------------------------------===//
import Platform
import Vocabulary

/// One problem found while loading `proofs/`.
package struct ProofProblem: Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(location): \(message)" }
}

/// Every problem found in a `proofs/` directory, sorted by file and line.
public struct ProofLoadError: Error, Sendable, CustomStringConvertible {
    package var problems: [ProofProblem]

    package init(_ problems: [ProofProblem]) { self.problems = problems.sorted { $0.location < $1.location } }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension ProofProblem {
    /// A file that is not readable YAML, at the failure's position (line 1, column 1 when unknown).
    init(_ failure: YAMLInput.Failure, file: String) {
        self.init(SourceLocation(file: file, line: failure.line ?? 1, column: failure.column ?? 1), failure.problem)
    }
}

extension ProofLoadError: UserFacingError {
    /// The first problem, and how many more (`ptv proofs check` lists them all).
    public var message: String {
        guard let first = problems.first else { return "the proofs do not load" }
        return first.description.split(separator: "\n").first.map(String.init)! + (problems.count > 1 ? " (and \(problems.count - 1) more problems: `ptv proofs check` lists them)" : "")
    }
}
