/// A dense row-major matrix of `Double`, the storage every hot loop and BLAS call works on.
///
/// Element (i, j) lives at `storage[i * cols + j]`. A value type: copies are cheap until written.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var storage: [Double]

    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        self.storage = Array(repeating: value, count: rows * cols)
    }

    public init(rows: Int, cols: Int, storage: [Double]) {
        precondition(storage.count == rows * cols, "Matrix storage has \(storage.count) elements, expected \(rows * cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i * cols + j] }
        set { storage[i * cols + j] = newValue }
    }

    /// Row `i` as an array (a copy).
    @inlinable
    public func row(_ i: Int) -> [Double] { Array(storage[(i * cols)..<((i + 1) * cols)]) }

    /// Overwrite row `i`.
    public mutating func setRow(_ i: Int, _ values: [Double]) {
        precondition(values.count == cols)
        storage.replaceSubrange((i * cols)..<((i + 1) * cols), with: values)
    }
}
