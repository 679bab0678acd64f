import Foundation
import Platform
import Vocabulary

/// A network's parameters and buffers as named Float32 arrays in the safetensors format
/// (an 8-byte little-endian header length, a JSON header mapping each name to its dtype, shape
/// and byte range, then the raw little-endian data), which PyTorch and NumPy read.
public enum Checkpoint {
    /// The file's bytes for `arrays` (name → tensor), names sorted.
    public static func encode(_ arrays: [(name: String, value: Tensor<Float>)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: JSONValue] = metadata.isEmpty ? [:] : ["__metadata__": metadata.json]
        var offset = 0
        var body = Data()
        for (name, tensor) in arrays.sorted(by: { $0.name < $1.name }) {
            let bytes = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape.json, "data_offsets": [offset.json, (offset + bytes).json]]
            tensor.storage.withUnsafeBytes { body.append(contentsOf: $0) }
            offset += bytes
        }
        var json = Data(JSONValue.object(header).canonicalText.utf8)
        while json.count % 8 != 0 { json.append(0x20) }  // padded with spaces, as the format allows
        var length = UInt64(json.count).littleEndian
        var data = Data(bytes: &length, count: 8)
        data.append(json)
        data.append(body)
        return data
    }

    /// The largest checkpoint read (also bounded by the memory limit by the caller).
    public static let largestFile = 1 << 34

    /// The named arrays of a safetensors file's bytes; anything malformed is a `ConfigError`
    /// naming `field`. Every size in the header is checked with overflow-safe arithmetic against
    /// the file's length before anything is allocated.
    public static func decode(_ data: Data, field: String) throws -> [String: Tensor<Float>] {
        func bad(_ problem: String) -> ConfigError { ConfigError(field: field, "not a safetensors checkpoint (\(problem))") }
        guard data.count >= 8 else { throw bad("shorter than its 8-byte header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(data.count - 8) else { throw bad("header length \(length) past the end of the file") }
        let start = 8 + Int(length)
        guard let header = JSONValue.parse(data.subdata(in: 8..<start))?.object else { throw bad("header is not a JSON object") }
        var arrays: [String: Tensor<Float>] = [:]
        for (name, entry) in header where name != "__metadata__" {
            // Products and sums of header numbers may overflow Int: each step is checked.
            func product(_ values: [Int]) -> Int? {
                values.reduce(Optional(1)) { total, v in total.flatMap { t in let (p, o) = t.multipliedReportingOverflow(by: v); return o ? nil : p } }
            }
            func integers(_ value: JSONValue?) -> [Int]? {
                value?.array.flatMap { list in
                    let read = list.compactMap { if case .int(let i) = $0 { i } else { nil } }
                    return read.count == list.count ? read : nil
                }
            }
            guard entry["dtype"]?.string == "F32",
                  let shape = integers(entry["shape"]), let offsets = integers(entry["data_offsets"]), offsets.count == 2,
                  shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] >= offsets[0],
                  let count = product(shape), let size = product([count, 4]), offsets[1] - offsets[0] == size,
                  offsets[1] <= data.count - start else {
                throw bad("entry '\(InputText.excerpt(name))' is not a float32 array inside the file")
            }
            let bytes = data.subdata(in: (start + offsets[0])..<(start + offsets[1]))
            let values = bytes.withUnsafeBytes { raw in (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
            arrays[name] = Tensor(shape: shape, storage: values)
        }
        return arrays
    }

    /// Everything a network holds, by name: parameters, then buffers (running statistics).
    public static func arrays(of network: some Layer<Float>) -> [(name: String, value: Tensor<Float>)] {
        (network.parameters + network.buffers).map { ($0.name, $0.parameter.value) }
    }

    /// Load the arrays whose names `selected` accepts into the network's parameters and buffers
    /// of the same names (all of them by default), and return the names loaded. A selected
    /// name that the network lacks, or whose shape differs, is a `ConfigError` naming `field`
    /// and the array; nothing is changed then.
    @discardableResult
    public static func load(_ arrays: [String: Tensor<Float>], into network: some Layer<Float>, field: String,
                            selecting selected: (String) -> Bool = { _ in true }) throws -> [String] {
        let targets = Dictionary(uniqueKeysWithValues: (network.parameters + network.buffers).map { ($0.name, $0.parameter) })
        let chosen = arrays.keys.filter(selected).sorted()
        for name in chosen {
            guard let target = targets[name] else {
                throw ConfigError(field: field, "the checkpoint's '\(InputText.excerpt(name))' is not a parameter of this network")
            }
            guard target.value.shape == arrays[name]!.shape else {
                throw ConfigError(field: field, "'\(InputText.excerpt(name))' has shape \(arrays[name]!.shape) in the checkpoint and \(target.value.shape) in this network")
            }
        }
        for name in chosen { targets[name]!.value = arrays[name]! }
        return chosen
    }
}
