//===--- ProofLibrary.swift -----------------------------------------------===//
import Platform
import Vocabulary

/// The statements of `proofs/`, validated: every identifier known, every `uses` entry an
/// existing statement, no cycles. Statements are kept in dependency order (a statement
/// comes after everything it uses).
public struct ProofLibrary: Sendable {
    /// Statements in dependency order.
    public private(set) var statements: [ProofStatement]
    /// The theory the statements were read against (their folder's `theory.yaml`, or the theory
    /// in force when it has none); judge them under it.
    public internal(set) var theory: Theory = Theory.current

    /// Build from statements; throws the problems (unknown `uses`, cycles, duplicates).
    public init(_ statements: [ProofStatement]) throws(ProofLoadError) {
        var problems: [ProofProblem] = []
        var byId: [String: ProofStatement] = [:]
        for s in statements {
            if let first = byId[s.id] {
                problems.append(ProofProblem(s.location, "duplicate statement id '\(InputText.excerpt(s.id))' (first defined at \(first.location))"))
            } else {
                byId[s.id] = s
            }
        }
        for s in statements {
            for u in s.uses where byId[u] == nil {
                problems.append(ProofProblem(s.location, "'\(InputText.excerpt(s.id))' uses unknown statement '\(InputText.excerpt(u))'"))
            }
        }
        // Depth-first search for cycles and a dependency order.
        var state: [String: Int] = [:]
        var order: [ProofStatement] = []
        var stack: [String] = []
        func visit(_ id: String) {
            guard let s = byId[id] else { return }
            if state[id] == 2 { return }
            if state[id] == 1 {
                let cycle = stack[stack.firstIndex(of: id)!...] + [id]
                problems.append(ProofProblem(s.location, "statements use each other in a cycle: \(cycle.joined(separator: " -> "))"))
                return
            }
            state[id] = 1
            stack.append(id)
            for u in s.uses { visit(u) }
            stack.removeLast()
            state[id] = 2
            order.append(s)
        }
        for s in statements.sorted(by: { $0.id < $1.id }) { visit(s.id) }
        if !problems.isEmpty { throw ProofLoadError(problems) }
        self.statements = order
    }

    /// The statement with this id.
    public func statement(_ id: String) -> ProofStatement? { statements.first { $0.id == id } }

    /// Ids of the statements that use `id`, directly or not (they are `blocked` when it fails).
    func dependents(of id: String) -> [String] {
        var result: [String] = []
        var frontier = [id]
        while let current = frontier.popLast() {
            for s in statements where s.uses.contains(current) && !result.contains(s.id) {
                result.append(s.id)
                frontier.append(s.id)
            }
        }
        return result.sorted()
    }

    /// Depth of each statement: 0 when it uses nothing, else 1 + the deepest statement it uses.
    public var depths: [String: Int] { Self.depths(of: statements) }

    /// The same for `statements` given in dependency order (uses first), as the library keeps them.
    public static func depths(of statements: [ProofStatement]) -> [String: Int] {
        var depth: [String: Int] = [:]
        for s in statements { depth[s.id] = s.uses.map { (depth[$0] ?? 0) + 1 }.max() ?? 0 }
        return depth
    }

    /// The dependency graph as text, one statement per line, by depth:
    ///
    /// ```
    /// [0] lemma-noise-norm (predecessor)
    /// [1] lemma-rho-bar (predecessor) <- lemma-noise-correlation, lemma-noise-norm
    /// ```
    public var dependencyGraph: String {
        let depth = depths
        return statements
            .sorted { (depth[$0.id]!, $0.id) < (depth[$1.id]!, $1.id) }
            .map { s in
                let uses = s.uses.isEmpty ? "" : " <- " + s.uses.sorted().joined(separator: ", ")
                return "[\(depth[s.id]!)] \(s.id) (\(s.provenance.rawValue))\(uses)"
            }
            .joined(separator: "\n")
    }
}
