import Foundation
import Testing

/// The report pages as a reader sees them: a small synthetic report, phase pages side by side and
/// a deep report, each page laid out by headless Chromium at 1400 px (scripts/report-check.js
/// measures it) and read as text. A page fails when an element runs past the right edge, an image
/// or a relative link points nowhere, text overlaps inside a figure, or an absolute path shows.
@Suite(.serialized)
struct ReportBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Findings of one page (empty when it reads well).
    static func check(_ page: URL, home: URL) throws -> [String] {
        var findings: [String] = []
        let html = try String(contentsOf: page, encoding: .utf8)
        let folder = page.deletingLastPathComponent()
        // Relative links and images must resolve to files beside the page.
        for attribute in ["href=\"", "src=\""] {
            for piece in html.components(separatedBy: attribute).dropFirst() {
                let target = String(piece.prefix { $0 != "\"" })
                guard !target.isEmpty, !target.hasPrefix("#"), !target.contains("://"), !target.hasPrefix("data:") else { continue }
                let path = String(target.prefix { $0 != "#" })
                if !FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).standardizedFileURL.path) {
                    findings.append("broken link: \(target)")
                }
            }
        }
        // No absolute path of this machine in what the page shows.
        let text = html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for prefix in ["/tmp/", "/work/", "/home/", "/root/", "/usr/", "/var/", "/opt/"] where text.contains(prefix) {
            let excerpt = text.components(separatedBy: prefix)[1].prefix(40)
            findings.append("absolute path: \(prefix)\(excerpt)")
        }
        // Layout, images and figure text, measured by the browser.
        let script = try String(contentsOf: CLI.packageRoot.appendingPathComponent("scripts/report-check.js"), encoding: .utf8)
        let copy = folder.appendingPathComponent(".browser-check-\(page.lastPathComponent)")
        try html.replacingOccurrences(of: "</body>", with: "<script>\(script)</script></body>").write(to: copy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: copy) }
        let run = try CLI.runTool(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,2000",
                                              "--user-data-dir=\(home.appendingPathComponent("profile").path)",
                                              "--virtual-time-budget=3000", "--dump-dom", copy.absoluteString], home: home)
        let dom = run.stdout
        guard let start = dom.range(of: "<pre id=\"ptv-report-check\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            return findings + ["the browser did not run the check (exit \(run.status)): \(run.stderr.suffix(200))"]
        }
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        let measured = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String] ?? ["unreadable check output"]
        return findings + measured
    }

    static func pages(under folder: URL) -> [URL] {
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return files.filter { $0.pathExtension == "html" && !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test func reportPagesReadWellInABrowser() throws {
        guard Self.chromium != nil else {
            Issue.record("Chromium is not installed (scripts/install-deps.sh --slurm installs it)")
            return
        }
        let dir = CLI.temporaryDirectory("report-browser")
        // A synthetic report.
        try CLI.write(ValidateCommandTests.suite, to: dir.appendingPathComponent("suite.yaml"))
        let validation = dir.appendingPathComponent("report")
        let validate = try CLI.run(["validate", "--suite", dir.appendingPathComponent("suite.yaml").path, "--out", validation.path, "--quiet"])
        #expect(validate.status == 0 || validate.status == 1, "\(validate.stderr)")
        // Phase pages, side by side.
        let grid = dir.appendingPathComponent("grid.yaml"), store = dir.appendingPathComponent("s.sqlite")
        try CLI.write("base: {m: 3, N1: 30, N2: 6, T1: 60, T2: 60, n_test: 100, v2_norm: 0.5}\ngrid:\n  d: [50, 100, 200]\n  u_norm: [0.5, 1, 2, 4]\nseeds: [0, 1]\n", to: grid)
        #expect(try CLI.run(["sweep", "--grid", grid.path, "--store", store.path, "--quiet"]).status == 0)
        let phase = validation.appendingPathComponent("phase")
        let phaseRun = try CLI.run(["phase", "--store", store.path, "--beside", store.path, "--x", "d", "--y", "u_norm", "--out", phase.path])
        #expect(phaseRun.status == 0, "\(phaseRun.stderr)")
        // A deep report.
        let data = dir.appendingPathComponent("data"), deepSuite = dir.appendingPathComponent("deep.yaml")
        try DeepValidateCommandTests.writeImages(to: data)
        try CLI.write(DeepValidateCommandTests.suite, to: deepSuite)
        let deep = validation.appendingPathComponent("deep")
        let deepRun = try CLI.run(["validate", "--suite", deepSuite.path, "--out", deep.path, "--data", data.path, "--quiet"])
        #expect(deepRun.status == 0 || deepRun.status == 1, "\(deepRun.stderr)")

        let pages = Self.pages(under: validation)
        #expect(pages.count >= 5, "\(pages.map(\.lastPathComponent))")
        for page in pages {
            let findings = try Self.check(page, home: dir)
            #expect(findings.isEmpty, "\(page.path.replacingOccurrences(of: validation.path + "/", with: "")): \(findings.prefix(8).joined(separator: "; "))")
        }
    }

    /// The check finds what it is for: a page with an overflowing table, a series drawn exactly
    /// under another (its legend entry has nothing to see), a legend entry without a series, a
    /// note past the figure's edge and an absolute path gives one finding of each kind.
    @Test func plantedDefectsAreFound() throws {
        guard Self.chromium != nil else {
            Issue.record("Chromium is not installed (scripts/install-deps.sh --slurm installs it)")
            return
        }
        let dir = CLI.temporaryDirectory("report-planted")
        let line = "<polyline fill=\"none\" stroke=\"#0072B2\" stroke-width=\"1.8\" points=\"40,100 360,60\"/>"
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200" font-size="11">
            <g data-series="0">\(line)</g><g data-series="1">\(line.replacingOccurrences(of: "#0072B2", with: "#D55E00"))</g>
            <g data-legend="0"><text x="40" y="150">hidden series</text></g><g data-legend="1"><text x="40" y="165">covering series</text></g>
            <g data-legend="2"><text x="40" y="180">series that was never drawn</text></g>
            <text x="40" y="230">a note below the figure's edge</text>
            </svg>
            """
        let page = dir.appendingPathComponent("planted.html")
        try CLI.write("""
            <!doctype html><html><head><meta charset="utf-8"></head><body>
            <p>defined in: /work/somewhere/proofs/lemma.yaml</p>
            <table><tr><td>\(String(repeating: "w", count: 2000))</td></tr></table>
            \(svg)
            </body></html>
            """, to: page)
        let findings = try Self.check(page, home: dir)
        #expect(findings.contains { $0.hasPrefix("absolute path: /work/") }, "\(findings)")
        #expect(findings.contains { $0.hasPrefix("overflow") }, "\(findings)")
        #expect(findings.contains { $0.contains("hidden under another") && $0.contains("hidden series") }, "\(findings)")
        #expect(!findings.contains { $0.contains("covering series") }, "\(findings)")   // the covering series is visible
        #expect(findings.contains { $0.contains("without a mark") && $0.contains("never drawn") }, "\(findings)")
        #expect(findings.contains { $0.hasPrefix("text outside its figure") && $0.contains("below the figure") }, "\(findings)")
    }
}
