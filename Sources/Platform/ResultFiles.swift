import Foundation

/// JSON output helpers shared by every writer: sorted keys, pretty printed (two-space indent,
/// `"key" : value`), atomic writes, non-finite numbers written as `null` (JSON has no NaN)
/// rather than silently dropped.
///
/// The text is produced here rather than by `JSONSerialization` (ten times slower on Linux, and
/// on the critical path of every `ptv train`). Values: dictionaries with string keys, arrays,
/// strings, booleans, integers, floating-point numbers (shortest representation that reads
/// back to the same value) and `NSNull`; anything else throws.
public enum JSONOutput {
    public static func data(_ object: Any) throws -> Data {
        var text = ""
        try append(object, to: &text, indent: "")
        return Data(text.utf8)
    }

    /// A value this encoder cannot write.
    public struct UnsupportedValue: Error, CustomStringConvertible {
        public let description: String
    }

    private static func append(_ value: Any, to text: inout String, indent: String) throws {
        switch value {
        case is NSNull: text += "null"
        case let flag as Bool: text += flag ? "true" : "false"
        case let x as Double: text += x.isFinite ? "\(x)" : "null"
        case let x as Float: text += x.isFinite ? "\(x)" : "null"
        case let x as Int: text += "\(x)"
        case let x as UInt64: text += "\(x)"
        case let x as any BinaryInteger: text += "\(x)"
        case let string as String: appendString(string, to: &text)
        case let dictionary as [String: Any]:
            guard !dictionary.isEmpty else { text += "{\n\n\(indent)}"; return }
            let inner = indent + "  "
            text += "{\n"
            for (n, key) in dictionary.keys.sorted().enumerated() {
                text += inner
                appendString(key, to: &text)
                text += " : "
                try append(dictionary[key]!, to: &text, indent: inner)
                text += n + 1 < dictionary.count ? ",\n" : "\n"
            }
            text += indent + "}"
        case let array as [Any]:
            guard !array.isEmpty else { text += "[\n\n\(indent)]"; return }
            let inner = indent + "  "
            text += "[\n"
            for (n, element) in array.enumerated() {
                text += inner
                try append(element, to: &text, indent: inner)
                text += n + 1 < array.count ? ",\n" : "\n"
            }
            text += indent + "]"
        case let number as NSNumber: text += number.stringValue  // values read back from JSON
        default: throw UnsupportedValue(description: "JSON output: cannot write a value of type \(type(of: value))")
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
    private static func appendString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// The JSON text of `object`, ending in a newline.
    public static func text(_ object: Any) throws -> String {
        String(decoding: try data(object), as: UTF8.self) + "\n"
    }

    public static func write(_ object: Any, to url: URL) throws {
        try ResultFile.write(text(object), to: url)
    }
}

/// Replaces a result file atomically (`SystemFile.replace`): a reader, or a run killed at any
/// moment, sees the old file or the new one, never a part.
public enum ResultFile {
    public static func write(_ data: Data, to url: URL) throws {
        do { try SystemFile.replace(url.path, with: data) } catch {
            throw WriteError(description: "\(error.action) \(InputText.excerpt(error.path)): \(error.reason)", reason: error.reason)
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// A result file that could not be written: one line with the path and the system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
        /// The system's reason alone.
        public let reason: String
    }
}

/// The folder a command writes its results into (`--out`): created if needed, checked writable by
/// writing a file, and never mixed with an earlier run's results. When it already holds any of
/// the command's result names, it is refused unless `replacing` is set (`--force`), which removes
/// those entries first — and only those — so no stale file (an `arrays/` from an earlier run,
/// say) sits next to the new results.
public enum OutputFolder {
    public static func prepare(_ url: URL, results: [String], replacing: Bool, field: String = "out") throws {
        let path = url.path, manager = FileManager.default
        func refuse(_ reason: String) -> ConfigError {
            ConfigError(field: field, "cannot write to \(InputText.excerpt(path)) (\(reason)); give a writable folder")
        }
        do { try SystemFile.makeFolder(path) } catch { throw refuse(error.reason) }
        let probe = url.appendingPathComponent(".ptv-write-check")
        do { try ResultFile.write(Data(), to: probe) } catch let error as ResultFile.WriteError { throw refuse(error.reason) }
        SystemFile.remove(probe.path)
        let present = results.filter { manager.fileExists(atPath: url.appendingPathComponent($0).path) }
        guard !present.isEmpty else { return }
        guard replacing else {
            let listed = present.prefix(3).joined(separator: ", ") + (present.count > 3 ? ", …" : "")
            throw ConfigError(field: field, "\(InputText.excerpt(path)) holds earlier results (\(listed)); give another folder, or --force to replace them")
        }
        for name in present {
            do { try manager.removeItem(at: url.appendingPathComponent(name)) } catch {
                throw refuse("cannot remove the earlier \(name)")
            }
        }
    }
}

/// The JSON form of recorded runs (report `runs/`, the run store): sorted keys, and the
/// non-finite numbers a run can hold (Γ̂ = +∞ when every test margin is equal) written as the
/// strings "inf", "-inf", "nan".
public enum RecordCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// Reads what ``encoder()`` writes.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
