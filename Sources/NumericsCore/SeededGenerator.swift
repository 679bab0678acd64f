import Foundation

/// The project's random number generator: xoshiro256** (Blackman & Vigna, 2018), seeded
/// through SplitMix64, with Gaussian draws by the ziggurat method (Marsaglia & Tsang, 2000, in
/// Doornik's 2005 form "ZIGNOR": 128 layers, one 64-bit draw per Gaussian on the fast path).
///
/// One run's `seed` determines everything. Each use of randomness (a task's training data, an
/// initialisation, the transfer choice, …) gets its own *stream*: a generator seeded from the
/// pair (seed, stream label), so changing how much one stream consumes never shifts another.
/// Pure Swift and a value type, so results are identical on every platform and thread.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// Recorded in manifests so a run can be replayed with the same generator.
    public static let algorithm = "xoshiro256** seeded by SplitMix64(seed, FNV-1a(stream)); Gaussian by ziggurat (Doornik ZIGNOR, 128 layers: layer = low 7 bits, uniform = top 53 bits of one draw)"

    private var s0, s1, s2, s3: UInt64

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

    /// A standard normal draw (ziggurat; see `Ziggurat`).
    ///
    /// One 64-bit draw gives the layer i (its low 7 bits) and u = 2·U − 1 ∈ [−1, 1) (its top 53
    /// bits). When |u| < x_{i+1}/x_i the point lies inside the layer's inner rectangle and u·x_i is
    /// returned (≈ 98.8 % of draws); otherwise the wedge is tested against the density, or the
    /// tail beyond R is sampled by Marsaglia's exponential method. Exact N(0, 1) up to the
    /// resolution of the uniforms.
    @inline(__always)
    public mutating func gaussian() -> Double {
        let table = Ziggurat.table
        while true {
            let bits = next()
            let i = Int(truncatingIfNeeded: bits & 0x7F)
            let u = Double(bits >> 11) * 0x1.0p-52 - 1
            if abs(u) < table.ratio[i] { return u * table.x[i] }
            if let value = gaussianSlowPath(layer: i, u: u, table: table) { return value }
        }
    }

    /// The wedge and tail of the ziggurat: a draw, or nil to start over.
    private mutating func gaussianSlowPath(layer i: Int, u: Double, table: Ziggurat) -> Double? {
        if i == 0 {  // the base layer's tail beyond R
            var x = 0.0, y = 0.0
            repeat {
                x = -Foundation.log(1 - uniform()) / Ziggurat.r
                y = -Foundation.log(1 - uniform())
            } while y + y < x * x
            return u < 0 ? -(Ziggurat.r + x) : Ziggurat.r + x
        }
        let x = u * table.x[i]
        let f0 = Foundation.exp(-0.5 * (table.x[i] * table.x[i] - x * x))
        let f1 = Foundation.exp(-0.5 * (table.x[i + 1] * table.x[i + 1] - x * x))
        return f1 + uniform() * (f0 - f1) < 1 ? x : nil
    }

    /// `count` independent N(0, σ²) draws.
    public mutating func gaussians(count: Int, standardDeviation sigma: Double = 1) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            fillGaussians(buffer.baseAddress!, count: count, standardDeviation: sigma)
            initialized = count
        }
    }

    /// Write `count` independent N(0, σ²) draws to `target` (the same draws, in the same order,
    /// as `gaussians(count:standardDeviation:)`).
    public mutating func fillGaussians(_ target: UnsafeMutablePointer<Double>, count: Int, standardDeviation sigma: Double = 1) {
        // `gaussian()` inlined with the tables read through pointers taken once per call.
        let table = Ziggurat.table
        table.ratio.withUnsafeBufferPointer { ratio in
            table.x.withUnsafeBufferPointer { x in
                var j = 0
                while j < count {
                    let bits = next()
                    let i = Int(truncatingIfNeeded: bits & 0x7F)
                    let u = Double(bits >> 11) * 0x1.0p-52 - 1
                    if abs(u) < ratio[i] {
                        (target + j).initialize(to: sigma * (u * x[i]))
                        j += 1
                    } else if let value = gaussianSlowPath(layer: i, u: u, table: table) {
                        (target + j).initialize(to: sigma * value)
                        j += 1
                    }
                }
            }
        }
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

/// The tables of the 128-layer ziggurat for the standard normal density f(x) = exp(−x²/2)
/// (unnormalised), after Doornik (2005), "An improved ziggurat method to generate normal
/// random samples".
///
/// Layers of equal area V: x₀ = V/f(R), x₁ = R, x_{i+1} = f⁻¹(f(x_i) + V/x_i), x₁₂₈ = 0, with
/// R = 3.442619855899 and V = 9.91256303526217e-3 (the values for 128 layers);
/// ratio_i = x_{i+1}/x_i is the fraction of layer i inside its rectangle. Immutable, computed once.
package struct Ziggurat: Sendable {
    static let r = 3.442619855899
    static let v = 9.91256303526217e-3
    public let x: [Double]
    public let ratio: [Double]

    static let table = Ziggurat()

    init() {
        var x = [Double](repeating: 0, count: 129)
        var f = Foundation.exp(-0.5 * Ziggurat.r * Ziggurat.r)
        x[0] = Ziggurat.v / f
        x[1] = Ziggurat.r
        for i in 2..<128 {
            x[i] = (-2 * Foundation.log(Ziggurat.v / x[i - 1] + f)).squareRoot()
            f = Foundation.exp(-0.5 * x[i] * x[i])
        }
        x[128] = 0
        self.x = x
        ratio = (0..<128).map { x[$0 + 1] / x[$0] }
    }
}
