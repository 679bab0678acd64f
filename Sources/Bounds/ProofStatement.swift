//===--- ProofStatement.swift ---------------------------------------------===//

/// A position in a `proofs/` file.
public struct SourceLocation: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or just `file` for problems with the file or directory as a whole.
    public var description: String { line == 0 ? file : "\(file):\(line):\(column)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// A hypothesis of a statement: a relation, or a reference to a condition of docs/theory.md §6.
public enum Hypothesis: Sendable, Equatable, CustomStringConvertible {
    /// A relation in the bounds language.
    case relation(Relation)
    /// A §6 condition by id, for the task being judged (`task` nil: `cond_dimension`) or a
    /// fixed task (`cond_dimension_1`).
    case condition(id: String, task: Int?)

    /// The relation to evaluate; `judgedTask` resolves a task-less condition reference (its
    /// aliases stay generic when `judgedTask` is nil, to be bound by the environment).
    public func relation(judgedTask: Int? = nil) -> Relation {
        switch self {
        case .relation(let r): return r
        case .condition(let id, let task):
            let condition = Theory.current.condition(id)!   // checked at load time
            if let k = task ?? judgedTask { return condition.relation(forTask: k) }
            return condition.relation
        }
    }

    public var description: String {
        switch self {
        case .relation(let r): r.printed()
        case .condition(let id, let task): task.map { "\(id)_\($0)" } ?? id
        }
    }
}

/// One statement of docs/theory.md §7, as read from a `proofs/<id>.yaml` file.
///
/// File fields: `id` (must equal the file name), `title`, `provenance` (`paper`,
/// `predecessor` or `reconstruction`), `source` (where the statement comes from), `uses`
/// (ids of statements it relies on), `hypotheses` (relations or §6 condition ids), `claim`
/// (a relation or a list of relations), `constants` (the unknown constants it mentions;
/// each must be listed) and `probe` (the name of the measurement that judges it).
public struct ProofStatement: Sendable, Equatable {
    public var id: String
    public var title: String
    public var provenance: Provenance
    public var source: String
    public var uses: [String]
    public var hypotheses: [Hypothesis]
    public var claims: [Relation]
    public var constants: [String]
    public var probe: String
    /// Where the statement's `id` is written.
    public var location: SourceLocation

    public init(id: String, title: String, provenance: Provenance, source: String, uses: [String],
                hypotheses: [Hypothesis], claims: [Relation], constants: [String], probe: String,
                location: SourceLocation) {
        self.id = id
        self.title = title
        self.provenance = provenance
        self.source = source
        self.uses = uses
        self.hypotheses = hypotheses
        self.claims = claims
        self.constants = constants
        self.probe = probe
        self.location = location
    }

    /// Every identifier the hypotheses and claims mention (condition references expanded).
    public var identifiers: Set<String> {
        var names = Set<String>()
        for h in hypotheses { names.formUnion(h.relation().identifiers) }
        for c in claims { names.formUnion(c.identifiers) }
        return names
    }
}
