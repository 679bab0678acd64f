import Foundation
@testable import Platform
import Testing
@testable import TransferModel
@testable import Vocabulary

/// The manifest's timestamps: UTC ISO 8601 to the second, as Foundation's formatter writes them.
struct RunManifestTests {
    /// Compared with Foundation's ISO8601DateFormatter (an independent implementation) on dates
    /// across a leap day, a year boundary, the epoch and a fractional second (truncated, not rounded).
    @Test(arguments: [0.0, 951_782_400, 1_798_761_599.75, 1_830_297_600, 2_000_000_000.999])
    func timestampsMatchFoundation(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(RunManifest.iso8601(date) == ISO8601DateFormatter().string(from: date))
    }
}
