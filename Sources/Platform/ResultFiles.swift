import Foundation

/// JSON result files: a ``JSONValue`` as pretty text (``JSONValue/prettyText``), ending in a
/// newline, written atomically.
///
/// The text is produced by ``JSONValue`` rather than `JSONSerialization` (ten times slower on
/// Linux, and on the critical path of every `ptv train`).
package enum JSONOutput {
    /// The JSON text of `value`, ending in a newline.
    package static func text(_ value: JSONValue) -> String { value.prettyText + "\n" }

    package static func write(_ value: JSONValue, to url: URL) throws {
        try ResultFile.write(text(value), to: url)
    }

    package static func write(_ object: [String: JSONValue], to url: URL) throws {
        try write(.object(object), to: url)
    }
}

/// Replaces a result file atomically (`SystemFile.replace`): a reader, or a run killed at any
/// moment, sees the old file or the new one, never a part.
package enum ResultFile {
    package static func write(_ data: Data, to url: URL) throws {
        do { try SystemFile.replace(url.path, with: data) } catch {
            throw WriteError(description: "\(error.action) \(InputText.excerpt(error.path)): \(error.reason)", reason: error.reason)
        }
    }

    package static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// A result file that could not be written: one line with the path and the system's reason.
    package struct WriteError: Error, CustomStringConvertible {
        package let description: String
        /// The system's reason alone.
        package let reason: String
    }
}

/// The folder a command writes its results into (`--out`): created if needed, checked writable by
/// writing a file, and never mixed with an earlier run's results. When it already holds any of
/// the command's result names, it is refused unless `replacing` is set (`--force`), which removes
/// those entries first — and only those — so no stale file (an `arrays/` from an earlier run,
/// say) sits next to the new results.
package enum OutputFolder {
    package static func prepare(_ url: URL, results: [String], replacing: Bool, field: String = "out") throws {
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
package enum RecordCoding {
    package static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// Reads what ``encoder()`` writes.
    package static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}
