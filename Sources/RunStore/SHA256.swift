import Crypto

/// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits, through swift-crypto.
///
/// Used to key stored runs by their effective configuration: the same config (including the
/// seed) always gives the same key, on every platform, so a re-run recognises finished cells.
/// `sha256sum` of the same bytes prints the same digest (the tests check known vectors).
package enum RunHash {
    package static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digest = Crypto.SHA256.hash(data: Array(bytes))
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest { text.append(digits[Int(byte >> 4)]); text.append(digits[Int(byte & 0x0f)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
