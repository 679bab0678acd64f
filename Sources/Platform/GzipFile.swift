import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Gzip-compressed files through zlib (`gzopen`/`gzread`/`gzwrite`): the Fashion-MNIST IDX
/// files of Debian's `dataset-fashion-mnist`, and the fixtures tests write. A file that is not
/// gzip-compressed is read as it is (zlib's transparent mode).
package enum GzipFile {
    /// The decompressed bytes of the file at `path`; more than `limit` bytes is a failure, so a
    /// corrupt or hostile file cannot exhaust memory.
    /// With `prefixOnly`, the first `limit` bytes (fewer if the file is shorter), without failing.
    package static func read(_ path: String, limit: Int, prefixOnly: Bool = false) throws(SystemFile.Failure) -> [UInt8] {
        // Opened as any input (a FIFO or a device is refused, never waited on), then handed to zlib.
        let (descriptor, _) = try SystemFile.openRegular(path)
        guard let file = gzdopen(descriptor, "rb") else { close(descriptor); throw SystemFile.failure("cannot open", path) }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
                throw SystemFile.Failure(action: "cannot decompress", path: path, reason: message.lowercased())
            }
            if count == 0 { return bytes }
            if prefixOnly && bytes.count + Int(count) >= limit { return bytes + chunk[..<(limit - bytes.count)] }
            guard bytes.count + Int(count) <= limit else {
                throw SystemFile.Failure(action: "cannot read", path: path, reason: "more than \(limit) bytes once decompressed")
            }
            bytes += chunk[..<Int(count)]
        }
    }

    /// Write `bytes` gzip-compressed to `path` (replacing it; not atomic: for fixtures).
    package static func write(_ bytes: [UInt8], to path: String) throws(SystemFile.Failure) {
        guard let file = gzopen(path, "wb") else { throw SystemFile.failure("cannot create", path) }
        let written = bytes.isEmpty ? 0 : bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        let closed = gzclose(file)
        guard Int(written) == bytes.count, closed == Z_OK else { throw SystemFile.failure("cannot write", path) }
    }
}
