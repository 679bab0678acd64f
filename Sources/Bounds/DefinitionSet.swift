//===--- DefinitionSet.swift ----------------------------------------------===//

import Platform
import Vocabulary

/// A problem with a set of named definitions.
package enum DefinitionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The same name is defined twice.
    case duplicate(String)
    /// Definitions refer to each other in a cycle; the names are listed along the cycle,
    /// first name repeated at the end.
    case cycle([String])

    public var description: String {
        switch self {
        case .duplicate(let name): "'\(name)' is defined twice"
        case .cycle(let path): "definitions form a cycle: \(path.joined(separator: " -> "))"
        }
    }
}

/// Named definitions `name = expression` that may refer to each other, never in a cycle.
///
/// Definitions are kept in the order given. A definition may mention identifiers that are
/// not defined here (configuration values, constants, measured values); those are resolved
/// by the ``Environment`` at evaluation time.
public struct DefinitionSet: Sendable, Equatable {
    /// Defined names in definition order.
    public private(set) var names: [String] = []
    /// Name → defining expression.
    public private(set) var expressions: [String: Formula] = [:]

    /// An empty set.
    public init() {}

    /// Build from `(name, expression)` pairs; throws on duplicates and cycles.
    package init(_ definitions: [(String, Formula)]) throws(DefinitionError) {
        for (name, e) in definitions {
            guard expressions[name] == nil else { throw .duplicate(name) }
            names.append(name)
            expressions[name] = e
        }
        if let cycle = findCycle() { throw .cycle(cycle) }
    }

    /// Parse lines `name = expression` (whitespace and newlines separate definitions; `#`
    /// starts a comment). Duplicates and cycles are reported at the offending definition.
    public init(parsing text: String) throws(ParseError) {
        var parser = try Parser(text)
        let parsed = try parser.parseDefinitions()
        for d in parsed {
            guard expressions[d.name] == nil else {
                throw ParseError(line: d.line, column: d.column, "'\(d.name)' is defined twice")
            }
            names.append(d.name)
            expressions[d.name] = d.expression
        }
        if let cycle = findCycle(), let first = parsed.first(where: { $0.name == cycle[0] }) {
            throw ParseError(line: first.line, column: first.column,
                             DefinitionError.cycle(cycle).description)
        }
    }

    /// The definition of `name`, if any.
    public subscript(name: String) -> Formula? { expressions[name] }

    /// True when `name` is defined here.
    public func defines(_ name: String) -> Bool { expressions[name] != nil }

    /// This set with `other`'s definitions added (an `other` definition replaces one of ours
    /// with the same name). Throws if the result has a cycle.
    package func merging(_ other: DefinitionSet) throws(DefinitionError) -> DefinitionSet {
        var result = self
        for name in other.names {
            if result.expressions[name] == nil { result.names.append(name) }
            result.expressions[name] = other.expressions[name]
        }
        if let cycle = result.findCycle() { throw .cycle(cycle) }
        return result
    }

    /// This set with one more definition (replacing an existing one of the same name).
    package func adding(_ name: String, _ expression: Formula) throws(DefinitionError) -> DefinitionSet {
        try merging(DefinitionSet([(name, expression)]))
    }

    /// `expression` with every defined identifier replaced by its definition, recursively,
    /// so that the result mentions only undefined identifiers.
    public func expanded(_ expression: Formula) -> Formula {
        // Cycles are excluded at construction, so the recursion terminates.
        expression.substituting { name in expressions[name].map { expanded($0) } }
    }

    /// Undefined identifiers that `name`'s definition depends on, following definitions.
    public func leaves(of expression: Formula) -> Set<String> {
        expanded(expression).identifiers
    }

    /// A cycle among the definitions, if any (depth-first search).
    func findCycle() -> [String]? {
        var state: [String: Int] = [:]   // 1 = on the stack, 2 = done
        var stack: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 2 { return nil }
            if state[name] == 1 {
                let start = stack.firstIndex(of: name)!
                return Array(stack[start...]) + [name]
            }
            state[name] = 1
            stack.append(name)
            for dep in expressions[name]!.identifiers.sorted() where expressions[dep] != nil {
                if let cycle = visit(dep) { return cycle }
            }
            stack.removeLast()
            state[name] = 2
            return nil
        }
        for name in names { if let cycle = visit(name) { return cycle } }
        return nil
    }
}

extension DefinitionError: UserFacingError {
    public var message: String { description }
}
