@testable import NumericsCore
import Testing
@testable import TransferModel

/// The trajectory CSV's extremes against a plain recomputation from the snapshots.
struct TrajectoryTableTests {
    @Test(arguments: ["layout: combined\n", "layout: separate\nalpha: 0.4\n"])
    func extremesMatchTheSnapshots(extra: String) async throws {
        let outcomes = try await TransferExperiment(config: Fixtures.config(extra + "T1: 12\nT2: 12\nrecord_every: 4\n")).run()
        let transfer = try #require(outcomes.first { $0.phase == .transfer })
        let inheritance = try #require(transfer.inheritance)
        let table = TrajectoryTable(transfer)
        let twoM = 2 * transfer.run.initial.m
        let groups = ["all": Array(0..<twoM), "inherited": (0..<twoM).filter { inheritance.isInherited(row: $0) },
                      "fresh": (0..<twoM).filter { !inheritance.isInherited(row: $0) }]
        #expect(table.rows.count == transfer.run.snapshots.count)
        for (row, snap) in zip(table.rows, transfer.run.snapshots) {
            for (group, members) in groups {
                func cell(_ name: String) -> Double? { row[table.header.firstIndex(of: "\(group)_\(name)")!] }
                func values(_ m: Matrix) -> [Double] { members.flatMap { k in (0..<m.cols).map { m[k, $0] } } }
                #expect(cell("rho_bar_max") == values(snap.rhoBar).max())
                #expect(cell("rho_under_min") == values(snap.rhoUnder).min())
                #expect(cell("w_xi_absmax") == values(snap.innerNoise).map(abs).max())
            }
        }
    }

    /// The CSV is the header and then each row's cells as `Double.description` writes them (empty
    /// for an empty group). ‖u‖ = 10²⁰⁰ overflows ‖u‖² to infinity, and the non-finite cells'
    /// spellings must survive too.
    @Test(arguments: ["alpha: 0.5\n", "alpha: 0.5\nu_norm: 1e200\n"])
    func csvWritesEachCellAsItsDescription(extra: String) async throws {
        let outcomes = try await TransferExperiment(config: Fixtures.config(extra + "T1: 12\nT2: 12\nrecord_every: 4\n")).run()
        var nonFinite = 0
        for outcome in outcomes {
            let table = TrajectoryTable(outcome)
            let lines = table.csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.count == table.rows.count + 2 && lines.last == "")
            #expect(lines[0] == table.header.joined(separator: ","))
            for (line, row) in zip(lines.dropFirst(), table.rows) {
                #expect(line == row.map { $0?.description ?? "" }.joined(separator: ","))
                nonFinite += row.filter { $0.map { !$0.isFinite } ?? false }.count
            }
        }
        if extra.contains("u_norm") { #expect(nonFinite > 0, "‖u‖ = 1e200 should give non-finite cells") }
    }
}
