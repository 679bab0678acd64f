import Foundation

/// A small structured document rendered both as Markdown and as self-contained HTML, so the
/// two forms of every report page say exactly the same thing.
package struct Document: Sendable {
    package enum Block: Sendable {
        case heading(level: Int, text: String)
        case paragraph(String)
        /// A code-like display line (formulas).
        case display(String)
        case bullets([String])
        case table(header: [String], rows: [[Cell]])
        /// An inline SVG figure with a caption; `file` is its relative path for Markdown.
        case figure(svg: String, file: String, caption: String)
        /// A verdict badge line: label and verdict name.
        case verdict(String)
        /// Documents shown next to each other (each under its title as a heading), figures scaled
        /// to the column; one after the other in Markdown.
        case columns([Document])
        /// The headline of a page: a coloured badge per outcome with its count, then plain
        /// sentences saying what the counts mean.
        case banner(counts: [(name: String, count: Int)], sentences: [String])
        /// A label followed by links (`uses: lemma-a, lemma-b`; `back to the index`).
        case links(label: String, targets: [(text: String, href: String)])
        /// Blocks folded under a one-line summary (HTML `<details>`; in Markdown, a heading).
        case details(summary: String, blocks: [Block])
    }

    /// A table cell: text, optionally a link, optionally coloured as a verdict.
    package struct Cell: Sendable, ExpressibleByStringLiteral {
        package var text: String
        package var link: String?
        var isVerdict: Bool

        package init(_ text: String, link: String? = nil, verdict: Bool = false) {
            self.text = text
            self.link = link
            isVerdict = verdict
        }

        package init(stringLiteral value: String) { self.init(value) }
    }

    package var title: String
    package var blocks: [Block] = []

    package init(title: String) { self.title = title }

    package mutating func add(_ block: Block) { blocks.append(block) }

    // MARK: Markdown

    package var markdown: String { "# \(title)\n\n" + Self.markdown(blocks) }

    private static func markdown(_ blocks: [Block]) -> String {
        var out = ""
        for block in blocks {
            switch block {
            case let .heading(level, text): out += String(repeating: "#", count: level) + " \(text)\n\n"
            case let .paragraph(text): out += text + "\n\n"
            case let .display(text): out += "```\n\(text)\n```\n\n"
            case let .bullets(items): out += items.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
            case let .table(header, rows):
                out += "| " + header.map(escapeMarkdown).joined(separator: " | ") + " |\n"
                out += "|" + String(repeating: "---|", count: header.count) + "\n"
                for row in rows {
                    out += "| " + row.map { cell in
                        let text = escapeMarkdown(cell.isVerdict ? "**\(cell.text)**" : cell.text)
                        return cell.link.map { "[\(text)](\($0.replacingOccurrences(of: ".html", with: ".md")))" } ?? text
                    }.joined(separator: " | ") + " |\n"
                }
                out += "\n"
            case let .figure(_, file, caption): out += "![\(caption)](\(file))\n\n*\(caption)*\n\n"
            case let .verdict(text): out += "**Verdict: \(text)**\n\n"
            case let .columns(documents):
                for document in documents { out += "## \(document.title)\n\n" + markdown(document.blocks) }
            case let .banner(counts, sentences):
                out += counts.map { "**\($0.name) \($0.count)**" }.joined(separator: " · ") + "\n\n"
                    + sentences.map { "- \($0)" }.joined(separator: "\n") + "\n\n"
            case let .links(label, targets):
                out += (label.isEmpty ? "" : "\(label): ") + targets.map { "[\($0.text)](\($0.href))" }.joined(separator: ", ") + "\n\n"
            case let .details(summary, blocks):
                out += "### \(summary)\n\n" + markdown(blocks)
            }
        }
        return out
    }

    private static func escapeMarkdown(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }

    // MARK: HTML

    package var html: String {
        let body = "<h1>\(Self.escape(title))</h1>\n" + Self.html(blocks)
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
        <style>\(Self.style)</style></head>
        <body>
        \(body)</body></html>

        """
    }

    private static func html(_ blocks: [Block]) -> String {
        var body = ""
        for block in blocks {
            switch block {
            case let .heading(level, text): body += "<h\(level + 1)>\(Self.escape(text))</h\(level + 1)>\n"
            case let .paragraph(text): body += "<p>\(Self.escape(text))</p>\n"
            case let .display(text): body += "<pre class=\"display\">\(Self.escape(text))</pre>\n"
            case let .bullets(items): body += "<ul>" + items.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>\n"
            case let .table(header, rows):
                body += "<div class=\"scroll\"><table><thead><tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
                for row in rows {
                    body += "<tr>" + row.map { cell in
                        var content = Self.escape(cell.text)
                        if cell.isVerdict { content = "<span class=\"badge \(Self.verdictClass(cell.text))\">\(content)</span>" }
                        if let link = cell.link { content = "<a href=\"\(Self.escape(link))\">\(content)</a>" }
                        return "<td>\(content)</td>"
                    }.joined() + "</tr>\n"
                }
                body += "</tbody></table></div>\n"
            case let .figure(svg, _, caption):
                // A figure wider than the page scrolls sideways instead of shrinking its text.
                body += "<figure><div class=\"scroll\">\(svg)</div><figcaption>\(Self.escape(caption))</figcaption></figure>\n"
            case let .verdict(text):
                // The badge holds the verdict; a reason after " — " follows as text (it may be long).
                let parts = text.components(separatedBy: " — ")
                let reason = parts.count > 1 ? " — " + Self.escape(parts.dropFirst().joined(separator: " — ")) : ""
                body += "<p class=\"verdict\">Verdict: <span class=\"badge \(Self.verdictClass(text))\">\(Self.escape(parts[0]))</span>\(reason)</p>\n"
            case let .banner(counts, sentences):
                body += "<div class=\"banner\">" + counts.map { "<span class=\"badge \(Self.verdictClass($0.name))\">\(Self.escape($0.name)) \($0.count)</span>" }.joined(separator: " ")
                    + "<ul>" + sentences.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul></div>\n"
            case let .links(label, targets):
                body += "<p class=\"links\">\(Self.escape(label))" + (label.isEmpty ? "" : ": ")
                    + targets.map { "<a href=\"\(Self.escape($0.href))\">\(Self.escape($0.text))</a>" }.joined(separator: ", ") + "</p>\n"
            case let .details(summary, blocks):
                body += "<details><summary>\(Self.escape(summary))</summary>\n" + html(blocks) + "</details>\n"
            case let .columns(documents):
                body += "<div class=\"columns\">" + documents.map { document in
                    "<div class=\"column\"><h2>\(escape(document.title))</h2>\n" + html(document.blocks) + "</div>"
                }.joined() + "</div>\n"
            }
        }
        return body
    }

    /// CSS class of a badge (the first word of the text): a verdict, or an audit's outcome.
    static func verdictClass(_ text: String) -> String {
        let word = text.split(separator: " ").first.map(String.init) ?? text
        return BadgePalette.entry(word).name
    }

    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1200px;margin:24px auto;padding:0 16px;color:#1d2430;line-height:1.45}
    h1{font-size:1.6em;border-bottom:2px solid #dde3ea;padding-bottom:6px}h2{margin-top:1.6em;font-size:1.25em}h3{font-size:1.05em}
    .scroll{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;margin:8px 0 16px;font-size:0.88em}th,td{border:1px solid #d5dbe3;padding:4px 8px;text-align:left;vertical-align:top}
    th{background:#f1f4f8}tr:nth-child(even) td{background:#fafbfc}
    pre.display{background:#f5f7fa;border-left:3px solid #8aa1bd;padding:8px 12px;font-size:1.02em;white-space:pre-wrap}
    .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:0.85em;color:#fff;white-space:nowrap}
    \(BadgePalette.css)
    .banner{border:1px solid #d5dbe3;border-radius:8px;padding:10px 14px;margin:8px 0 18px;background:#fafbfc}.banner .badge{font-size:1em;margin-right:4px}.banner ul{margin:8px 0 0;padding-left:20px}
    details{margin:8px 0}summary{cursor:pointer;font-weight:600}
    body:has(.columns){max-width:1800px}.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:28px}.column svg{max-width:100%;height:auto}
    figure{margin:12px 0 20px}figcaption{font-size:0.85em;color:#4a5563;max-width:900px}a{color:#1a5fb4}
    """
}
