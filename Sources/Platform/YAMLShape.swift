import CYAML

/// The shape of a YAML text, measured from libyaml's event stream without building any nodes:
/// how many nodes the document has once every alias is expanded, and how deeply it nests.
///
/// Composing a document into nodes expands aliases by reference, but anything that walks or hashes
/// the result (a mapping's duplicate-key check hashes its keys) pays for the expanded size, which
/// grows exponentially with nested aliases: a 700-byte file can stand for 10⁹ nodes. Measuring the
/// events first bounds that work, and the depth bound keeps recursive readers off the stack limit.
/// Syntax errors come out here too, as one line with the position (docs/architecture.md, input).
package struct YAMLShape: Sendable, Equatable {
    /// Nodes (scalars, sequences, mappings) with aliases expanded; saturates at `Int.max`.
    var expandedNodes: Int
    /// The deepest nesting of collections (a top-level mapping is depth 1).
    package var depth: Int

    /// Limits on an input file; every reader of the project's YAML applies the same ones.
    package struct Limits: Sendable {
        package var bytes: Int
        var expandedNodes: Int
        package var depth: Int
        package init(bytes: Int, expandedNodes: Int, depth: Int) {
            self.bytes = bytes
            self.expandedNodes = expandedNodes
            self.depth = depth
        }
        /// 16 MiB of text, 10⁶ nodes after alias expansion, nesting 64 deep — far above any
        /// config, grid, suite or statement file (the full suite is 41 kB, about 3 000 nodes).
        package static let input = Limits(bytes: 16 << 20, expandedNodes: 1_000_000, depth: 64)
    }

    /// Why a text was refused: one line, with the 1-based `line:column` where one is known.
    package struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        package let line: Int?
        package let column: Int?
        package let problem: String
        package init(line: Int?, column: Int?, problem: String) {
            self.line = line
            self.column = column
            self.problem = problem
        }
        package var description: String {
            if let line, let column { return "\(line):\(column): \(problem)" }
            return problem
        }
    }

    /// Measure `text`, stopping with a ``Refusal`` as soon as a limit is passed or the text is
    /// not YAML.
    package static func measure(_ text: String, limits: Limits = .input) throws(Refusal) -> YAMLShape {
        var bytes = Array(text.utf8)
        guard bytes.count <= limits.bytes else {
            throw Refusal(line: nil, column: nil, problem: "the file has \(bytes.count) bytes; at most \(limits.bytes) are read")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw Refusal(line: nil, column: nil, problem: "cannot start the YAML parser (out of memory)")
        }
        defer { yaml_parser_delete(&parser) }
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { buffer throws(Refusal) -> YAMLShape in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count - 1)
            // Open collections: the nodes counted so far inside each, and its anchor.
            var open: [(nodes: Int, anchor: String?)] = [(0, nil)]
            var anchors: [String: Int] = [:]
            var deepest = 0, aliases = false
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { throw syntaxRefusal(parser) }
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                func refuse(_ problem: String) -> Refusal {
                    Refusal(line: Int(mark.line) + 1, column: Int(mark.column) + 1, problem: problem)
                }
                func add(_ nodes: Int) throws(Refusal) {
                    let (sum, overflow) = open[open.count - 1].nodes.addingReportingOverflow(nodes)
                    guard !overflow, sum <= limits.expandedNodes else {
                        throw refuse(aliases ? "anchors and aliases expand to more than \(limits.expandedNodes) nodes"
                                             : "too many entries: more than \(limits.expandedNodes) values, lists and mappings in one file")
                    }
                    open[open.count - 1].nodes = sum
                }
                // The one scalar policy (with `YAMLInput.numberText`): a tag would change what a
                // value means (`!!str 20`, `!!float 1`), and no reader looks at tags, so none is allowed.
                func refuseTag(_ tag: UnsafeMutablePointer<yaml_char_t>?) throws(Refusal) {
                    if let tag = name(tag) { throw refuse("a tag ('\(tag.count <= 40 ? tag : String(tag.prefix(37)) + "…")') is not allowed: write the plain value") }
                }
                switch event.type {
                case YAML_SCALAR_EVENT:
                    try refuseTag(event.data.scalar.tag)
                    if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = 1 }
                    try add(1)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    try refuseTag(event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.tag : event.data.mapping_start.tag)
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    open.append((1, anchor))
                    deepest = max(deepest, open.count - 1)
                    guard open.count - 1 <= limits.depth else { throw refuse("nested more than \(limits.depth) levels deep") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let closed = open.removeLast()
                    if let anchor = closed.anchor { anchors[anchor] = closed.nodes }
                    try add(closed.nodes)
                case YAML_ALIAS_EVENT:
                    aliases = true
                    // An undefined alias is left to the composer, which names it.
                    try add(name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1)
                case YAML_STREAM_END_EVENT:
                    return YAMLShape(expandedNodes: open[0].nodes, depth: deepest)
                default:
                    break
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    /// libyaml's problem as one line: position, problem, and the construct it was inside.
    private static func syntaxRefusal(_ parser: yaml_parser_t) -> Refusal {
        let problem = parser.problem.map { String(cString: $0) } ?? "not valid YAML"
        var text = "not valid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            text += " (\(context) at \(parser.context_mark.line + 1):\(parser.context_mark.column + 1))"
        }
        return Refusal(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1, problem: text)
    }
}
