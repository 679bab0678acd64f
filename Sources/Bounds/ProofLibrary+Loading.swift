//===--- ProofLibrary+Loading.swift ---------------------------------------===//

import Foundation
import Platform
import Vocabulary
import Yams

extension ProofLibrary {
    /// The fields a statement file may have.
    public static let fields = ["id", "title", "provenance", "source", "uses", "hypotheses", "claim", "constants", "probe"]
    /// The fields it must have.
    static let requiredFields = ["id", "title", "provenance", "source", "claim", "probe"]

    /// Load every `*.yaml` file of `directory` (a path as the user wrote it; messages use it).
    ///
    /// Rejects, with `file:line:column` messages: YAML errors, unknown or missing fields,
    /// an `id` that differs from the file name, unknown provenance tags, malformed
    /// relations (position inside the claim), identifiers missing from `catalog`, constants
    /// used but not listed in `constants`, unknown `uses`, duplicate ids and cycles, and — when
    /// `probes` is given (the validation layer's probe names) — a `probe` that names none of them.
    /// Every problem of every file is reported, not only the first.
    ///
    /// The folder's `theory.yaml` (``Theory/fileName``), when present, is the theory its
    /// statements are read against (identifiers, conditions) and becomes the library's
    /// ``theory``; without one, the theory in force is kept. `catalog` defaults to the standard
    /// catalog of that theory.
    /// A `theory` given here is used instead of the folder's file (comparing candidate theories
    /// on one set of statements).
    public static func load(directory: String, catalog: IdentifierCatalog? = nil, probes: Set<String>? = nil,
                            theory given: Theory? = nil) throws(ProofLoadError) -> ProofLibrary {
        var theory = given ?? Theory.current
        var problems: [ProofProblem] = []
        let theoryPath = (directory as NSString).appendingPathComponent(Theory.fileName)
        if given == nil, FileManager.default.fileExists(atPath: theoryPath) {
            do { theory = try Theory.load(file: URL(fileURLWithPath: theoryPath), displayPath: theoryPath) } catch {
                problems += error.problems
            }
        }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && $0 != Theory.fileName }.sorted()
        } catch {
            throw ProofLoadError([ProofProblem(SourceLocation(file: directory, line: 0, column: 0),
                                               "cannot read the proofs folder (missing, or not a folder)")])
        }
        if files.isEmpty {
            throw ProofLoadError([ProofProblem(SourceLocation(file: directory, line: 0, column: 0), "no statement files (*.yaml)")])
        }
        let read = Theory.$current.withValue(theory) { () -> (statements: [ProofStatement], problems: [ProofProblem]) in
            let catalog = catalog ?? .standard
            var statements: [ProofStatement] = [], problems: [ProofProblem] = []
            for name in files {
                let path = (directory as NSString).appendingPathComponent(name)
                let text: String
                do { text = try YAMLInput.text(of: URL(fileURLWithPath: path), field: "statement") } catch {
                    problems.append(ProofProblem(SourceLocation(file: path, line: 0, column: 0), (error as? ConfigError)?.problem ?? "cannot read the file"))
                    continue
                }
                var reader = StatementReader(file: path, catalog: catalog, probes: probes)
                // A statement with problems still takes part in the `uses` checks, so that one
                // bad file does not make every statement that uses it look wrong too.
                if let statement = reader.read(text) { statements.append(statement) }
                problems += reader.problems
            }
            return (statements, problems)
        }
        problems += read.problems
        var library: ProofLibrary
        do { library = try ProofLibrary(read.statements) } catch {
            throw ProofLoadError(problems + error.problems)
        }
        if !problems.isEmpty { throw ProofLoadError(problems) }
        library.theory = theory
        return library
    }

    /// The proofs folder shipped with this module (the statements of docs/theory.md §7 and the
    /// theory file), for packages that depend on this one; `proofs/` at the package root links to it.
    public static var bundledDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("proofs")
    }

    /// Parse one statement file's text. Returns the statement (nil if it is unusable) and
    /// every problem found.
    package static func parseStatement(yaml text: String, file: String,
                                      catalog: IdentifierCatalog = .standard) -> (ProofStatement?, [ProofProblem]) {
        var reader = StatementReader(file: file, catalog: catalog)
        let statement = reader.read(text)
        return (reader.problems.isEmpty ? statement : nil, reader.problems)
    }
}

/// Reads one statement file, collecting problems.
private struct StatementReader: ProofFileReader {
    let file: String
    let catalog: IdentifierCatalog
    let probes: Set<String>?
    var problems: [ProofProblem] = []
    var sourceLines: [Substring] = []

    init(file: String, catalog: IdentifierCatalog, probes: Set<String>? = nil) {
        self.file = file
        self.catalog = catalog
        self.probes = probes
    }

    mutating func read(_ text: String) -> ProofStatement? {
        guard let (root, mapping) = rootMapping(text, expected: "a statement file must be a YAML mapping with the fields \(ProofLibrary.fields.joined(separator: ", "))") else {
            return nil
        }
        var fields: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { problem(key, "field names must be strings"); continue }
            guard ProofLibrary.fields.contains(name) else {
                problem(key, "unknown field '\(InputText.excerpt(name))' (allowed: \(ProofLibrary.fields.joined(separator: ", ")))")
                continue
            }
            fields[name] = (key, value)
        }
        for name in ProofLibrary.requiredFields where fields[name] == nil {
            problem(root, "missing required field '\(InputText.excerpt(name))'")
        }

        let id = string(fields["id"]?.value, "id") ?? ""
        if let node = fields["id"]?.value, !id.isEmpty {
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            if id != stem { problem(node, "id '\(InputText.excerpt(id))' must equal the file name '\(stem)'") }
            if id.range(of: "^[a-z0-9][a-z0-9.-]*$", options: .regularExpression) == nil {
                problem(node, "id '\(InputText.excerpt(id))' must be lower-case letters, digits, '.' and '-'")
            }
        }
        let title = string(fields["title"]?.value, "title") ?? ""
        let source = string(fields["source"]?.value, "source") ?? ""
        let probe = string(fields["probe"]?.value, "probe") ?? ""
        if let probes, !probe.isEmpty, !probes.contains(probe) {
            problem(fields["probe"]?.value, "unknown probe '\(InputText.excerpt(probe))' (known: \(probes.sorted().joined(separator: ", ")))")
        }
        var provenance = Provenance.predecessor
        if let node = fields["provenance"]?.value, let text = string(node, "provenance") {
            if let p = Provenance(rawValue: text) { provenance = p } else {
                problem(node, "unknown provenance '\(InputText.excerpt(text))' (one of: \(Provenance.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let uses = stringList(fields["uses"]?.value, "uses").map(\.text)
        let constantEntries = stringList(fields["constants"]?.value, "constants")
        for c in constantEntries where catalog[c.text]?.kind != .constant {
            problem(c.node, "'\(InputText.excerpt(c.text))' is not a known constant (known: \(catalog.names(of: .constant).joined(separator: ", ")))")
        }
        let constants = constantEntries.map(\.text)

        var hypotheses: [Hypothesis] = []
        for h in stringList(fields["hypotheses"]?.value, "hypotheses") {
            if let reference = conditionReference(h.text) {
                hypotheses.append(reference)
            } else if let r = relation(h.node, h.text, "hypothesis") {
                hypotheses.append(.relation(r))
            }
        }
        var claims: [Relation] = []
        if let node = fields["claim"]?.value {
            let entries: [(text: String, node: Node)] = node.sequence != nil ? stringList(node, "claim")
                : (string(node, "claim").map { [($0, node)] } ?? [])
            if entries.isEmpty && node.sequence != nil { problem(node, "'claim' must not be empty") }
            for c in entries {
                if let r = relation(c.node, c.text, "claim") { claims.append(r) }
            }
        }
        // Constants mentioned must be declared.
        var mentioned = Set<String>()
        for h in hypotheses { mentioned.formUnion(h.relation().identifiers) }
        for c in claims { mentioned.formUnion(c.identifiers) }
        for name in mentioned.sorted() where catalog[name]?.kind == .constant && !constants.contains(name) {
            problem(fields["constants"]?.key ?? fields["claim"]?.key,
                    "constant '\(InputText.excerpt(name))' is used but not listed in 'constants'")
        }
        guard let idNode = fields["id"]?.value else { return nil }
        return ProofStatement(id: id, title: title, provenance: provenance, source: source, uses: uses,
                              hypotheses: hypotheses, claims: claims, constants: constants, probe: probe,
                              location: location(idNode))
    }

    /// `cond_x` or `cond_x_1` / `cond_x_2` when x is a §6 condition.
    func conditionReference(_ text: String) -> Hypothesis? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if Theory.current.condition(t) != nil { return .condition(id: t, task: nil) }
        for k in 1...2 where t.hasSuffix("_\(k)") {
            let base = String(t.dropLast(2))
            if Theory.current.condition(base) != nil { return .condition(id: base, task: k) }
        }
        return nil
    }

    mutating func string(_ node: Node?, _ field: String) -> String? {
        guard let node else { return nil }
        guard let s = node.scalar?.string else {
            problem(node, "'\(field)' must be a string")
            return nil
        }
        if s.trimmingCharacters(in: .whitespaces).isEmpty {
            problem(node, "'\(field)' must not be empty")
            return nil
        }
        return s
    }

    mutating func stringList(_ node: Node?, _ field: String) -> [(text: String, node: Node)] {
        guard let node else { return [] }
        if let scalar = node.scalar, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return [] }
        guard let sequence = node.sequence else {
            problem(node, "'\(field)' must be a list")
            return []
        }
        var result: [(text: String, node: Node)] = []
        for item in sequence {
            if let s = string(item, "an entry of '\(field)'") { result.append((s, item)) }
        }
        return result
    }

    /// Parse a relation held in a YAML scalar, mapping parse positions into the file.
    mutating func relation(_ node: Node, _ text: String, _ what: String) -> Relation? {
        do {
            let r = try Relation(parsing: text)
            for name in r.identifiers.sorted() where !catalog.contains(name) {
                let (line, column) = Self.position(of: name, in: text)
                problems.append(ProofProblem(position(node, line: line, column: column),
                                             "unknown identifier '\(InputText.excerpt(name))' in \(what) '\(InputText.excerpt(text))'"))
            }
            for name in r.identifiers.sorted() where catalog[name]?.kind == .condition {
                let (line, column) = Self.position(of: name, in: text)
                problems.append(ProofProblem(position(node, line: line, column: column),
                                             "condition '\(InputText.excerpt(name))' cannot appear inside a \(what); list it as a hypothesis of its own"))
            }
            return r
        } catch {
            problems.append(ProofProblem(position(node, line: error.line, column: error.column),
                                         "malformed \(what) '\(InputText.excerpt(text))': \(error.message)"))
            return nil
        }
    }
}
