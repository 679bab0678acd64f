//===--- Environment+Theory.swift -----------------------------------------===//

extension Environment {
    /// The standard environment of the theory: configuration values (docs/theory.md §1 ids),
    /// constants (defaults of ``IdentifierCatalog/constantDefaults`` overridden by
    /// `constants`), the §6 definitions of ``Theory/current`` and, for `task` 1 or 2, the per-task aliases.
    public static func theory(configuration: [String: Double], constants: [String: Double] = [:],
                              task: Int? = nil) -> Environment {
        var values = IdentifierCatalog.constantDefaults.merging(constants) { _, given in given }
        values.merge(configuration) { _, config in config }
        if values["eta2"] == nil, let eta = values["eta"] { values["eta2"] = eta }   // η₂ defaults to η
        return Environment(values, definitions: Theory.current.definitions(forTask: task))
    }
}
