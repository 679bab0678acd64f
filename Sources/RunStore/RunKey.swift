import Foundation
import TransferModel

/// The identity of a run's results: its effective config, written canonically.
///
/// Canonical form (`canonicalJSON(_:includingSeed:)`, the store's config column): the JSON object
/// of `ExperimentConfig.jsonObject` (every key, defaults filled in) without `engine` — both engines
/// give the same results to rounding error, so a sweep re-run with another engine reuses finished
/// cells — with sorted keys and no whitespace. The key is the SHA-256 of the same text with the
/// keys at their defaults left out, so a config key added later (at a default that changes
/// nothing) leaves every stored run's key as it was.
public enum RunKey {
    package static func canonicalJSON(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        var object = config.jsonObject
        object["engine"] = nil
        if !includingSeed { object["seed"] = nil }
        return text(object)
    }

    /// `canonicalJSON(_:includingSeed:)` without the keys whose value is the default's.
    package static func identityJSON(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        var object = config.jsonObject
        for (key, value) in object where isDefault(key, value) { object[key] = nil }
        object["engine"] = nil
        if !includingSeed { object["seed"] = nil }
        return text(object)
    }

    nonisolated(unsafe) static let defaults = ExperimentConfig().jsonObject  // never mutated
    package static let defaultSeed = ExperimentConfig().seed
    static let defaultTexts = defaults.mapValues { text(["v": $0]) }

    /// Whether `value` writes as the same JSON as the default of `key`: numbers, strings and
    /// flags compared directly (a number writes as its shortest decimal, so equal values with
    /// equal signs write alike), anything else through its JSON text. Measured: comparing every
    /// key through JSON text took a fifth of a small sweep's time.
    package static func isDefault(_ key: String, _ value: Any) -> Bool {
        func number(_ x: Any) -> Double? { (x as? Int).map(Double.init) ?? (x as? Double) }
        switch (value, defaults[key]) {
        case let (a as String, b as String): return a == b
        case let (a as Bool, b as Bool): return a == b
        case (is Bool, _), (_, is Bool): break
        case let (a, b?) where number(a) != nil && number(b) != nil:
            let x = number(a)!, y = number(b)!
            return x == y && x.sign == y.sign
        default: break
        }
        return text(["v": value]) == (defaultTexts[key] ?? text(["v": NSNull()]))
    }

    public static func key(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        RunHash.hex(identityJSON(config, includingSeed: includingSeed).utf8)
    }

    /// `text` with its one `"seed":<from>` replaced by `"seed":<to>` (nil unless it occurs exactly once).
    package static func reseeded(_ text: String, from: UInt64, to: UInt64) -> String? {
        let found = text.ranges(of: "\"seed\":\(from)")
        guard found.count == 1, let range = found.first, range.upperBound < text.endIndex,
              text[range.upperBound] == "," || text[range.upperBound] == "}" else { return nil }
        return text.replacingCharacters(in: range, with: "\"seed\":\(to)")
    }

    private static func text(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
