/// The colours of every outcome a report shows, declared once: the HTML badges, the dependency
/// graph's boxes and the figures' markers all read them from here, so a verdict has one colour
/// on every page and in every figure.
package enum BadgePalette {
    /// An outcome's name (a verdict's raw value, a ladder verdict, an audit outcome) with its
    /// background and the text colour that reads on it.
    package struct Entry: Sendable {
        package let name: String
        package let background: String
        package let text: String
    }

    package static let entries: [Entry] = [
        Entry(name: "holds", background: "#2e7d32", text: "#fff"),
        Entry(name: "violated", background: "#c62828", text: "#fff"),
        Entry(name: "indeterminate", background: "#f9a825", text: "#222"),
        Entry(name: "not-applicable", background: "#78909c", text: "#fff"),
        Entry(name: "blocked", background: "#6a1b9a", text: "#fff"),
        Entry(name: "holds-from", background: "#558b2f", text: "#fff"),
        Entry(name: "violated-persistent", background: "#8e0000", text: "#fff"),
        Entry(name: "violated-shrinking", background: "#ef6c00", text: "#fff"),
        Entry(name: "unreachable", background: "#b0bec5", text: "#222"),
        Entry(name: "better", background: "#3b7dbf", text: "#fff"),
        Entry(name: "worse", background: "#d0483c", text: "#fff"),
        Entry(name: "indistinguishable", background: "#ececec", text: "#333"),
    ]

    /// The colour of anything without an entry.
    package static let other = Entry(name: "other", background: "#455a64", text: "#fff")

    /// The entry named `name`, or ``other``.
    package static func entry(_ name: String) -> Entry { entries.first { $0.name == name } ?? other }

    /// The background of the outcome `name` (for SVG fills and markers).
    package static func color(_ name: String) -> String { entry(name).background }

    /// One CSS rule per entry, for the badge classes.
    static var css: String {
        (entries + [other]).map { ".\($0.name){background:\($0.background)\($0.text == "#fff" ? "" : ";color:\($0.text)")}" }.joined()
    }
}
