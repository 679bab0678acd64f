//===--- TheoryQuantity.swift ---------------------------------------------===//

/// A named quantity of docs/theory.md §6, defined once in the bounds language.
public struct TheoryQuantity: Sendable, Equatable {
    /// The id used in configs, JSON and reports (`SNR_1`, `Gamma`, …).
    public var id: String
    /// One-line meaning.
    public var title: String
    /// The defining expression (may mention other quantities, §1 ids and constants).
    public var formula: Formula
    /// Units of the value.
    public var units: String
    /// Provenance tag.
    public var provenance: Provenance
    /// Extra words on provenance when the tag alone is not the whole story.
    var provenanceNote: String?
    /// docs/theory.md section, e.g. "§6".
    public var section: String
    /// Task number (1 upstream, 2 downstream) for per-task quantities, nil otherwise.
    public var task: Int?

    public init(id: String, title: String, formula: Formula, units: String, provenance: Provenance,
                provenanceNote: String? = nil, section: String = "§6", task: Int? = nil) {
        self.id = id
        self.title = title
        self.formula = formula
        self.units = units
        self.provenance = provenance
        self.provenanceNote = provenanceNote
        self.section = section
        self.task = task
    }

    /// "reconstruction (paper shape)" style label.
    var provenanceLabel: String {
        provenanceNote.map { "\(provenance.rawValue) (\($0))" } ?? provenance.rawValue
    }
}

/// A condition of docs/theory.md §6, written with the per-task aliases `n`, `sigma_p`,
/// `mu_norm`, `T_star` and instantiated for each task by `taskAliases(_:)`.
public struct TheoryCondition: Sendable, Equatable {
    /// The id (`cond_overparam`, …).
    public var id: String
    /// One-line meaning.
    public var title: String
    /// The relation in terms of the per-task aliases.
    public var relation: Relation
    /// Provenance tag.
    public var provenance: Provenance
    /// Extra words on provenance (e.g. "form uncertain").
    var provenanceNote: String?
    /// docs/theory.md section.
    public var section: String

    public init(id: String, title: String, relation: Relation, provenance: Provenance,
                provenanceNote: String? = nil, section: String = "§6") {
        self.id = id
        self.title = title
        self.relation = relation
        self.provenance = provenance
        self.provenanceNote = provenanceNote
        self.section = section
    }

    /// The relation for task 1 or 2, aliases replaced by the task's ids.
    public func relation(forTask task: Int) -> Relation {
        relation.substituting(Theory.current.taskAliases(task))
    }

    /// "predecessor (form uncertain)" style label.
    var provenanceLabel: String {
        provenanceNote.map { "\(provenance.rawValue) (\($0))" } ?? provenance.rawValue
    }
}
