import Foundation
import Testing
@testable import Platform

/// The package's number texts: exact ones read back to the same Double; labels stay short and
/// write large values as powers of ten (an axis of d printed 1000000000 before).
@Suite struct NumberTextTests {
    @Test func exactTextReadsBack() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(bitPattern: state >> 2) // finite, positive, every exponent
            #expect(Double(NumberText.exact(x)) == x, "\(x)")
        }
        #expect(NumberText.exact(3) == "3" && NumberText.exact(0.1) == "0.1" && NumberText.exact(-2) == "-2")
    }

    @Test(arguments: [(1e7, "10⁷"), (1e9, "10⁹"), (4.6e7, "4.6·10⁷"), (-1e6, "−10⁶"), (999_999, "999999"), (0.5, "0.5"),
                      (123.4, "123"), (2.5, "2.5"), (1_000_000, "10⁶")])
    func labels(value: Double, text: String) {
        #expect(NumberText.label(value) == text)
    }

    @Test func displayNamesTheSpecialValues() {
        #expect(NumberText.display(.infinity) == "∞" && NumberText.display(-.infinity) == "−∞" && NumberText.display(.nan) == "NaN")
        #expect(NumberText.display(0) == "0" && NumberText.display(1.23456789) == "1.235")
    }
}
