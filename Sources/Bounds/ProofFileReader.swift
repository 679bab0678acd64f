//===--- ProofFileReader.swift --------------------------------------------===//

import Foundation
import Platform
import Vocabulary
import Yams

/// What the readers of a proofs folder's YAML files (statements, the theory file) share: the
/// problems found so far, each at file:line:column, and positions inside scalar values.
protocol ProofFileReader {
    var file: String { get }
    var problems: [ProofProblem] { get set }
    /// The file's lines, for positions inside block scalars.
    var sourceLines: [Substring] { get set }
}

extension ProofFileReader {
    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1)
    }

    mutating func problem(_ node: Node?, _ message: String) {
        problems.append(ProofProblem(location(node), message))
    }

    /// The file's top-level mapping, or nil with a problem: the YAML error, or `expected` when
    /// the file is not a mapping.
    mutating func rootMapping(_ text: String, expected: String) -> (root: Node, mapping: Node.Mapping)? {
        sourceLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let root: Node?
        do { root = try YAMLInput.root(text, resolver: .default) } catch {
            problems.append(ProofProblem(error, file: file))
            return nil
        }
        guard let root, let mapping = root.mapping else {
            problem(root, expected)
            return nil
        }
        return (root, mapping)
    }

    /// File position of the 1-based (line, column) inside a scalar's value.
    func position(_ node: Node, line: Int, column: Int) -> SourceLocation {
        let base = location(node)
        switch node.scalar?.style {
        case .literal?, .folded?:
            return blockPosition(header: base.line, value: node.scalar?.string ?? "", line: line, column: column)
        case .singleQuoted?, .doubleQuoted?:
            return SourceLocation(file: file, line: base.line + line - 1, column: line == 1 ? base.column + column : column)
        default:
            return SourceLocation(file: file, line: base.line + line - 1, column: line == 1 ? base.column + column - 1 : column)
        }
    }

    /// File position inside a block scalar whose header (`|` or `>`) is on line `header`. Its
    /// value starts on the next line with the block's indentation removed; a literal block keeps
    /// its line breaks and a folded one turns them into spaces, one character either way, so the
    /// position is carried through its character offset in the value.
    func blockPosition(header: Int, value: String, line: Int, column: Int) -> SourceLocation {
        var offset = column - 1
        for valueLine in value.split(separator: "\n", omittingEmptySubsequences: false).prefix(line - 1) {
            offset += valueLine.unicodeScalars.count + 1
        }
        let content = sourceLines.dropFirst(header)
        let indent = content.first(where: { !$0.allSatisfy(\.isWhitespace) })?.prefix(while: { $0 == " " }).count ?? 0
        var start = 0
        for (k, sourceLine) in content.enumerated() {
            let length = max(0, sourceLine.unicodeScalars.count - indent)
            if offset <= start + length { return SourceLocation(file: file, line: header + k + 1, column: indent + offset - start + 1) }
            start += length + 1
        }
        return SourceLocation(file: file, line: header + 1, column: indent + column)
    }

    /// 1-based (line, column) of the first whole-word occurrence of `name` in `text` ((1, 1) if absent).
    static func position(of name: String, in text: String) -> (line: Int, column: Int) {
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let column = Self.column(of: name, in: String(line))
            if column > 0 { return (k + 1, column) }
        }
        return (1, 1)
    }

    /// 1-based column of the first whole-word occurrence of `name` in `text`, 0 if there is none.
    static func column(of name: String, in text: String) -> Int {
        let scalars = Array(text.unicodeScalars), target = Array(name.unicodeScalars)
        func isWord(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" }
        var i = 0
        while i + target.count <= scalars.count {
            if Array(scalars[i..<i + target.count]) == target,
               i == 0 || !isWord(scalars[i - 1]),
               i + target.count == scalars.count || !isWord(scalars[i + target.count]) {
                return i + 1
            }
            i += 1
        }
        return 0
    }
}
