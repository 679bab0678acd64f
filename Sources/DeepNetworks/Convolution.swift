import NumericsCore

/// 2-D convolution (cross-correlation, as PyTorch's `nn.Conv2d`) of x [N, C, H, W] with
/// W [C_out, C, k, k] and stride s, zero padding p: y [N, C_out, H′, W′] with
/// H′ = ⌊(H + 2p − k)/s⌋ + 1, by im2col — each sample's k·k·C patches as the columns of a
/// (C·k·k) × (H′·W′) matrix, times W as a C_out × (C·k·k) matrix on BLAS. No bias (every
/// convolution here is followed by batch normalisation). Initialised as PyTorch's default
/// (uniform in ±1/√(C·k·k)).
public final class Conv2d<Scalar: DeepScalar>: Layer {
    public let weight: Parameter<Scalar>
    public let stride: Int, padding: Int
    private var inputShape: [Int] = []
    private var columns: [[Scalar]] = []

    public init(inputs: Int, outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0, using rng: inout SeededGenerator) {
        let fan = inputs * kernel * kernel, bound = 1 / Double(fan).squareRoot()
        weight = Parameter(Tensor(shape: [outputs, inputs, kernel, kernel],
                                  storage: (0..<(outputs * fan)).map { _ in Scalar((2 * rng.uniform() - 1) * bound) }), decays: true)
        self.stride = stride
        self.padding = padding
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] { [("weight", weight)] }

    var kernel: Int { weight.value.shape[2] }

    /// (H′, W′) for an input of height h and width w.
    package func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let outputs = weight.value.shape[0], k = kernel, (oh, ow) = outputSize(h, w), rows = c * k * k, area = oh * ow
        inputShape = x.shape
        columns = []
        var y = Tensor<Scalar>(zeros: [n, outputs, oh, ow])
        for s in 0..<n {
            var cols = [Scalar](repeating: 0, count: rows * area)
            x.storage.withUnsafeBufferPointer { xp in
                cols.withUnsafeMutableBufferPointer { cp in
                    Self.patches(xp.baseAddress! + s * c * h * w, cp.baseAddress!, c: c, h: h, w: w, k: k, stride: stride, padding: padding, oh: oh, ow: ow)
                }
            }
            weight.value.storage.withUnsafeBufferPointer { wp in
                cols.withUnsafeBufferPointer { cp in
                    y.storage.withUnsafeMutableBufferPointer { yp in
                        Scalar.gemm(wp.baseAddress!, transA: false, cp.baseAddress!, transB: false, yp.baseAddress! + s * outputs * area,
                                    m: outputs, n: area, k: rows, alpha: 1, beta: 0)
                    }
                }
            }
            if training { columns.append(cols) }
        }
        return y
    }

    /// The output columns b with 0 ≤ b·s + j − p < w: the range where kernel column j reads
    /// inside the image.
    @inline(__always)
    static func inside(_ j: Int, w: Int, stride: Int, padding: Int, ow: Int) -> Range<Int> {
        let first = max(0, (padding - j + stride - 1) / stride)  // ⌈(p − j)/s⌉, clamped at 0
        let span = w - 1 - j + padding  // b·s ≤ span
        let last = span < 0 ? 0 : min(ow, span / stride + 1)
        return first..<max(first, last)
    }

    /// Every run of one image row that kernel offset (i, j) reads: `body(image, column, columns)`
    /// with the image offset of output column 0 in that row (x[c, a·s + i − p, j − p]), the offset
    /// of that column-matrix row and output row (row (c·k + i)·k + j, column a·W′), and the output
    /// columns b that fall inside the image. im2col and col2im are the two uses.
    @inline(__always)
    static func runs(c: Int, h: Int, w: Int, k: Int, stride: Int, padding: Int, oh: Int, ow: Int,
                     _ body: (_ image: Int, _ column: Int, _ columns: Range<Int>) -> Void) {
        let area = oh * ow
        for ch in 0..<c {
            for i in 0..<k {
                let rows = inside(i, w: h, stride: stride, padding: padding, ow: oh)
                for j in 0..<k {
                    let columns = inside(j, w: w, stride: stride, padding: padding, ow: ow)
                    guard !columns.isEmpty else { continue }
                    for a in rows { body((ch * h + a * stride + i - padding) * w + j - padding, ((ch * k + i) * k + j) * area + a * ow, columns) }
                }
            }
        }
    }

    /// im2col of one image: row (c·k + i)·k + j, column a·W′ + b holds x[c, a·s + i − p, b·s + j − p]
    /// (0 outside the image; `cols` must be zero on entry).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func patches(_ x: UnsafePointer<Scalar>, _ cols: UnsafeMutablePointer<Scalar>, c: Int, h: Int, w: Int, k: Int,
                        stride: Int, padding: Int, oh: Int, ow: Int) {
        runs(c: c, h: h, w: w, k: k, stride: stride, padding: padding, oh: oh, ow: ow) { image, column, columns in
            let source = x + image, target = cols + column
            if stride == 1 {
                (target + columns.lowerBound).update(from: source + columns.lowerBound, count: columns.count)
            } else {
                for b in columns { target[b] = source[b * stride] }
            }
        }
    }

    /// col2im of one image: the adjoint of ``patches``, adding each column entry to its pixel.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func scatter(_ cols: UnsafePointer<Scalar>, _ x: UnsafeMutablePointer<Scalar>, c: Int, h: Int, w: Int, k: Int,
                        stride: Int, padding: Int, oh: Int, ow: Int) {
        runs(c: c, h: h, w: w, k: k, stride: stride, padding: padding, oh: oh, ow: ow) { image, column, columns in
            let target = x + image, source = cols + column
            for b in columns { target[b * stride] += source[b] }
        }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        precondition(columns.count == n, "backward needs a training forward pass")
        let outputs = weight.value.shape[0], k = kernel, (oh, ow) = outputSize(h, w), rows = c * k * k, area = oh * ow
        var dx = Tensor<Scalar>(zeros: inputShape)
        var dcols = [Scalar](repeating: 0, count: rows * area)
        for s in 0..<n {
            dy.storage.withUnsafeBufferPointer { dp in
                let dys = dp.baseAddress! + s * outputs * area
                columns[s].withUnsafeBufferPointer { cp in
                    weight.gradient.storage.withUnsafeMutableBufferPointer { gp in
                        Scalar.gemm(dys, transA: false, cp.baseAddress!, transB: true, gp.baseAddress!, m: outputs, n: rows, k: area, alpha: 1, beta: 1)
                    }
                }
                weight.value.storage.withUnsafeBufferPointer { wp in
                    dcols.withUnsafeMutableBufferPointer { dcp in
                        Scalar.gemm(wp.baseAddress!, transA: true, dys, transB: false, dcp.baseAddress!, m: rows, n: area, k: outputs, alpha: 1, beta: 0)
                    }
                }
            }
            // col2im: every column entry goes back to the input position it came from.
            dcols.withUnsafeBufferPointer { dcp in
                dx.storage.withUnsafeMutableBufferPointer { xp in
                    Self.scatter(dcp.baseAddress!, xp.baseAddress! + s * c * h * w, c: c, h: h, w: w, k: k, stride: stride, padding: padding, oh: oh, ow: ow)
                }
            }
        }
        return dx
    }
}

/// Batch normalisation over the channels of x [N, C, H, W] (PyTorch's `nn.BatchNorm2d`):
/// y = γ·(x − μ_c)/√(σ²_c + ε) + β. Training uses the batch's mean and biased variance over
/// N·H·W and updates the running statistics with momentum 0.1 (the running variance from the
/// unbiased batch variance); evaluation uses the running statistics. γ = 1, β = 0 at start.
public final class BatchNorm2d<Scalar: DeepScalar>: Layer {
    public let scale: Parameter<Scalar>
    public let shift: Parameter<Scalar>
    let mean: Parameter<Scalar>
    let variance: Parameter<Scalar>
    /// The running statistics (a checkpoint's `running_mean`, `running_var`).
    package var runningMean: Tensor<Scalar> { mean.value }
    package var runningVariance: Tensor<Scalar> { variance.value }
    public let epsilon: Scalar = 1e-5
    package let momentum: Scalar = 0.1
    private var normalised: Tensor<Scalar>?
    private var inverseDeviation: [Scalar] = []
    private var trainingPass = true

    public init(channels: Int) {
        scale = Parameter(Tensor(shape: [channels], storage: [Scalar](repeating: 1, count: channels)), decays: false)
        shift = Parameter(Tensor(zeros: [channels]), decays: false)
        mean = Parameter(Tensor(zeros: [channels]), decays: false)
        variance = Parameter(Tensor(shape: [channels], storage: [Scalar](repeating: 1, count: channels)), decays: false)
    }

    public var parameters: [(name: String, parameter: Parameter<Scalar>)] { [("weight", scale), ("bias", shift)] }
    public var buffers: [(name: String, parameter: Parameter<Scalar>)] { [("running_mean", mean), ("running_var", variance)] }

    /// Set the running statistics (loading a checkpoint).
    package func setRunning(mean: Tensor<Scalar>, variance: Tensor<Scalar>) {
        self.mean.value = mean
        self.variance.value = variance
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, training: Bool) -> Tensor<Scalar> {
        let (n, c, area) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let m = Scalar(n * area)
        var xhat = Tensor<Scalar>(zeros: x.shape), y = Tensor<Scalar>(zeros: x.shape)
        inverseDeviation = [Scalar](repeating: 0, count: c)
        trainingPass = training
        x.storage.withUnsafeBufferPointer { xp in
            xhat.storage.withUnsafeMutableBufferPointer { hp in
                y.storage.withUnsafeMutableBufferPointer { yp in
                    for ch in 0..<c {
                        var mean: Scalar = 0, variance: Scalar = 0
                        if training {
                            for s in 0..<n { let row = xp.baseAddress! + (s * c + ch) * area; for p in 0..<area { mean += row[p] } }
                            mean /= m
                            for s in 0..<n { let row = xp.baseAddress! + (s * c + ch) * area; for p in 0..<area { let d = row[p] - mean; variance += d * d } }
                            variance /= m
                            self.mean.value.storage[ch] = (1 - momentum) * self.mean.value.storage[ch] + momentum * mean
                            let unbiased = m > 1 ? variance * m / (m - 1) : variance
                            self.variance.value.storage[ch] = (1 - momentum) * self.variance.value.storage[ch] + momentum * unbiased
                        } else {
                            mean = self.mean.value.storage[ch]
                            variance = self.variance.value.storage[ch]
                        }
                        let inverse = 1 / (variance + epsilon).squareRoot()
                        inverseDeviation[ch] = inverse
                        let g = scale.value.storage[ch], b = shift.value.storage[ch]
                        for s in 0..<n {
                            let offset = (s * c + ch) * area
                            let source = xp.baseAddress! + offset, normalisedRow = hp.baseAddress! + offset, out = yp.baseAddress! + offset
                            for p in 0..<area {
                                let h = (source[p] - mean) * inverse
                                normalisedRow[p] = h
                                out[p] = g * h + b
                            }
                        }
                    }
                }
            }
        }
        normalised = xhat
        return y
    }

    /// Training: ∂L/∂x = (γ/σ̂)·(dy − mean(dy) − x̂·mean(dy·x̂)) per channel; evaluation: γ/σ̂·dy.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
        guard let xhat = normalised else { preconditionFailure("backward before forward") }
        let (n, c, area) = (dy.shape[0], dy.shape[1], dy.shape[2] * dy.shape[3])
        let m = Scalar(n * area)
        var dx = Tensor<Scalar>(zeros: dy.shape)
        dy.storage.withUnsafeBufferPointer { dp in
            xhat.storage.withUnsafeBufferPointer { hp in
                dx.storage.withUnsafeMutableBufferPointer { xp in
                    for ch in 0..<c {
                        var sum: Scalar = 0, dotted: Scalar = 0
                        for s in 0..<n {
                            let offset = (s * c + ch) * area
                            let d = dp.baseAddress! + offset, h = hp.baseAddress! + offset
                            for p in 0..<area { sum += d[p]; dotted += d[p] * h[p] }
                        }
                        shift.gradient.storage[ch] += sum
                        scale.gradient.storage[ch] += dotted
                        let factor = scale.value.storage[ch] * inverseDeviation[ch]
                        let meanGradient = sum / m, meanDotted = dotted / m
                        for s in 0..<n {
                            let offset = (s * c + ch) * area
                            let d = dp.baseAddress! + offset, h = hp.baseAddress! + offset, out = xp.baseAddress! + offset
                            for p in 0..<area {
                                out[p] = trainingPass ? factor * (d[p] - meanGradient - h[p] * meanDotted) : factor * d[p]
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
