import Foundation
import Testing

/// docs/architecture.md draws the module layers; this compares the drawing with the target graph
/// declared in Package.swift and with the imports in Sources/, each parsed here from the text.
@Suite struct PackageGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Package.swift's targets other than tests → the project targets each depends on
    /// (`.product(...)` dependencies of other packages left out; a system library has none).
    static func declared() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = text.components(separatedBy: "targets: [").dropFirst().joined(separator: "targets: [")
        var graph: [String: Set<String>] = [:]
        let starts = ["\n        .target(name: \"", "\n        .executableTarget(name: \"", "\n        .systemLibrary(name: \"", "\n        .testTarget(name: \""]
        // Split at every target declaration, keeping the kind.
        var pieces: [(kind: String, body: Substring)] = []
        var rest = Substring(targets)
        while let next = starts.compactMap({ s in rest.range(of: s).map { (s, $0) } }).min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
            if var last = pieces.popLast() { last.body = last.body[..<next.1.lowerBound]; pieces.append(last) }
            pieces.append((next.0, rest[next.1.upperBound...]))
            rest = rest[next.1.upperBound...]
        }
        for (kind, body) in pieces where !kind.contains(".testTarget(") {
            let name = String(body.prefix { $0 != "\"" })
            var deps = Set<String>()
            if let open = body.range(of: "dependencies: [") {
                var depth = 1, index = open.upperBound
                while depth > 0 && index < body.endIndex {
                    if body[index] == "[" { depth += 1 } else if body[index] == "]" { depth -= 1 }
                    index = body.index(after: index)
                }
                var list = String(body[open.upperBound..<index])
                while let product = list.range(of: ".product(") {
                    let end = list[product.upperBound...].firstIndex(of: ")") ?? list.endIndex
                    list.removeSubrange(product.lowerBound..<list.index(after: end))
                }
                for part in list.components(separatedBy: "\"").enumerated() where part.offset % 2 == 1 { deps.insert(part.element) }
            }
            graph[name] = deps
        }
        return graph
    }

    /// The `text layers` block: lines `[layer] Module → deps…`, and the C line; returns each
    /// module's dependencies and its line number (its layer position).
    static func drawn() throws -> (graph: [String: Set<String>], line: [String: Int]) {
        let text = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```text layers\n").dropFirst().first?.components(separatedBy: "```").first)
        var graph: [String: Set<String>] = [:], line: [String: Int] = [:]
        for (number, row) in block.split(separator: "\n").enumerated() {
            let sides = row.components(separatedBy: "→")
            let names = sides[0].split(separator: " ").map(String.init)
            if sides.count == 1 {   // the C line: a layer name, then modules without dependencies
                for name in names.dropFirst() { line[name] = number; graph[name] = [] }
                continue
            }
            let module = try #require(names.last, "\(row)")
            graph[module] = Set(sides[1].split(separator: " ").map(String.init))
            line[module] = number
        }
        return (graph, line)
    }

    @Test func drawingMatchesPackageSwift() throws {
        let declared = try Self.declared(), (drawn, _) = try Self.drawn()
        #expect(declared.count >= 14, "parsed \(declared.keys.sorted())")
        #expect(Set(drawn.keys) == Set(declared.keys), "drawn \(drawn.keys.sorted()), declared \(declared.keys.sorted())")
        for (module, deps) in declared { #expect(drawn[module] == deps, "\(module): drawn \(drawn[module]?.sorted() ?? []), declared \(deps.sorted())") }
    }

    /// Layering: every dependency is drawn on an earlier line, so the graph has no cycle and the
    /// modules of one layer do not depend on each other.
    @Test func everyDependencyLiesBelow() throws {
        let (drawn, line) = try Self.drawn()
        for (module, deps) in drawn {
            for dep in deps {
                let (m, d) = (try #require(line[module]), try #require(line[dep], "\(dep) is not drawn"))
                #expect(d < m, "\(module) (line \(m)) depends on \(dep) (line \(d))")
            }
        }
    }

    /// Every project module a source file imports is a declared dependency (a transitive import
    /// would compile on Linux and hide an edge of the graph).
    @Test func importsAreDeclared() throws {
        let declared = try Self.declared()
        let modules = Set(declared.keys)
        let sources = Self.root.appendingPathComponent("Sources")
        for module in declared.keys {
            let folder = sources.appendingPathComponent(module)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for row in text.split(separator: "\n") where row.hasPrefix("import ") || row.hasPrefix("@testable import ") {
                    let imported = String(row.split(separator: " ").last ?? "")
                    guard modules.contains(imported), imported != module else { continue }
                    #expect(declared[module]?.contains(imported) == true, "\(module)/\(file) imports \(imported), which Package.swift does not declare")
                }
            }
        }
    }
}
