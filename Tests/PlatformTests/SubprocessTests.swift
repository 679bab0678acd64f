@testable import Platform
import Testing

struct SubprocessTests {
    @Test func capturesOutputAndStatus() throws {
        let ok = try Subprocess.run(["sh", "-c", "echo captured; echo hidden >&2"], captureOutput: true)
        #expect(ok.status == 0 && ok.output == "captured\n")
        let failed = try Subprocess.run(["sh", "-c", "echo x; exit 3"])
        #expect(failed.status != 0 && failed.output.isEmpty)
    }

    @Test func missingProgramThrows() {
        #expect(throws: Subprocess.LaunchFailure.self) { try Subprocess.run(["ptv-no-such-program-here"]) }
    }
}
