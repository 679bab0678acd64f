import Foundation
import Platform
import TransferModel

/// The identity of a run's results: its effective config, written canonically.
///
/// Canonical form (`canonicalJSON(_:includingSeed:)`, the store's config column): the JSON object
/// of `ExperimentConfig.jsonObject` (every key, defaults filled in) without `engine` — both engines
/// give the same results to rounding error, so a sweep re-run with another engine reuses finished
/// cells — with sorted keys and no whitespace. The key is the SHA-256 of the same text with the
/// keys at their defaults left out, so a config key added later (at a default that changes
/// nothing) leaves every stored run's key as it was.
package enum RunKey {
    package static func canonicalJSON(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        var object = config.jsonObject
        object["engine"] = nil
        if !includingSeed { object["seed"] = nil }
        return text(object)
    }

    /// `canonicalJSON(_:includingSeed:)` without the keys whose value is the default's.
    package static func identityJSON(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        var object = config.jsonObject.changed(from: defaults)
        object["engine"] = nil
        if !includingSeed { object["seed"] = nil }
        return text(object)
    }

    static let defaults = ExperimentConfig().jsonObject
    package static let defaultSeed = ExperimentConfig().seed

    package static func key(_ config: ExperimentConfig, includingSeed: Bool = true) -> String {
        RunHash.hex(identityJSON(config, includingSeed: includingSeed).utf8)
    }

    /// `text` with its one `"seed":<from>` replaced by `"seed":<to>` (nil unless it occurs exactly once).
    package static func reseeded(_ text: String, from: UInt64, to: UInt64) -> String? {
        let found = text.ranges(of: "\"seed\":\(from)")
        guard found.count == 1, let range = found.first, range.upperBound < text.endIndex,
              text[range.upperBound] == "," || text[range.upperBound] == "}" else { return nil }
        return text.replacingCharacters(in: range, with: "\"seed\":\(to)")
    }

    private static func text(_ object: [String: JSONValue]) -> String { JSONValue.object(object).canonicalText }
}
