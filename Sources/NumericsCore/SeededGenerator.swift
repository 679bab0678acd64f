import Foundation

/// The project's random number generator: xoshiro256** (Blackman & Vigna, 2018), seeded
/// through SplitMix64, with Gaussian draws by Marsaglia's polar method.
///
/// One run's `seed` determines everything. Each use of randomness (a task's training data, an
/// initialisation, the transfer choice, …) gets its own *stream*: a generator seeded from the
/// pair (seed, stream label), so changing how much one stream consumes never shifts another.
/// Pure Swift and a value type, so results are identical on every platform and thread.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// Recorded in manifests so a run can be replayed with the same generator.
    public static let algorithm = "xoshiro256** seeded by SplitMix64(seed, FNV-1a(stream)); Gaussian by Marsaglia polar method"

    private var s0, s1, s2, s3: UInt64
    private var spareGaussian: Double?

    /// A generator for `stream` of `seed`.
    public init(seed: UInt64, stream: String = "") {
        var sm = seed ^ SeededGenerator.fnv1a(stream)
        s0 = SeededGenerator.splitMix(&sm)
        s1 = SeededGenerator.splitMix(&sm)
        s2 = SeededGenerator.splitMix(&sm)
        s3 = SeededGenerator.splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the all-zero state is the one fixed point
    }

    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64-bit FNV-1a hash of the stream label's UTF-8 bytes.
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform on [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal draw.
    public mutating func gaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        while true {
            let x = 2 * uniform() - 1, y = 2 * uniform() - 1
            let s = x * x + y * y
            if s > 0 && s < 1 {
                let f = (-2 * Foundation.log(s) / s).squareRoot()
                spareGaussian = y * f
                return x * f
            }
        }
    }

    /// `count` independent N(0, σ²) draws.
    public mutating func gaussians(count: Int, standardDeviation sigma: Double = 1) -> [Double] {
        (0..<count).map { _ in sigma * gaussian() }
    }

    /// +1 or −1 with probability ½ each.
    public mutating func rademacher() -> Double { next() >> 63 == 0 ? 1 : -1 }

    /// True with probability p.
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// `k` distinct indices from 0..<n, uniformly at random, in ascending order.
    public mutating func choose(_ k: Int, from n: Int) -> [Int] {
        precondition(k >= 0 && k <= n)
        var pool = Array(0..<n)
        for i in 0..<k {  // partial Fisher–Yates
            let j = Int.random(in: i..<n, using: &self)  // unbiased (rejection sampling)
            pool.swapAt(i, j)
        }
        return pool[0..<k].sorted()
    }
}
