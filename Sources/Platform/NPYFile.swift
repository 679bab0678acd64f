import Foundation

/// NumPy `.npy` files (format version 1.0): float64, little-endian (`<f8`), C order.
///
/// The header is the ASCII dict `{'descr': '<f8', 'fortran_order': False, 'shape': (…), }`,
/// padded with spaces and a newline so the data starts on a 64-byte boundary.
package enum NPYFile {
    struct FormatError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Encode `values` with `shape` (the product of `shape` must equal `values.count`).
    package static func encode(_ values: [Double], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "NPY shape \(shape) does not hold \(values.count) values")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buffer in
            for v in buffer {
                var bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Write `values` with `shape` to `url`.
    package static func write(_ values: [Double], shape: [Int], to url: URL) throws {
        try encode(values, shape: shape).write(to: url)
    }

    /// Decode a `<f8`, C-order `.npy` file written by `encode` (or NumPy).
    static func decode(_ data: Data) throws -> (values: [Double], shape: [Int]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw FormatError(description: "not an .npy file")
        }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes[6] == 1, bytes.count >= 10 + headerLength,
              let header = String(bytes: bytes[10..<(10 + headerLength)], encoding: .ascii) else {
            throw FormatError(description: "unsupported .npy version or truncated header")
        }
        guard header.contains("'descr': '<f8'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw FormatError(description: "only little-endian float64 C-order arrays are supported: \(header)")
        }
        let shape = header[open.upperBound..<close].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.compactMap { Int($0) }
        let count = shape.reduce(1, *)
        let start = 10 + headerLength
        guard bytes.count == start + 8 * count else {
            throw FormatError(description: "data holds \(bytes.count - start) bytes, shape \(shape) needs \(8 * count)")
        }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for b in 0..<8 { bits |= UInt64(bytes[start + 8 * i + b]) << (8 * b) }
            values[i] = Double(bitPattern: bits)
        }
        return (values, shape)
    }
}
