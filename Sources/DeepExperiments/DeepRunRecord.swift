import DeepNetworks
import Foundation
import Platform
import Vocabulary

/// The three kinds of run of a deep transfer experiment (docs/theory.md §9a).
package enum DeepRole: String, Sendable, Codable, CaseIterable {
    /// The upstream network on the upstream task.
    case upstream
    /// The downstream network from the fresh draw with the transfer plan's rows inherited.
    case transfer
    /// The downstream network from the same fresh draw, nothing inherited.
    case scratch
}

/// The channels of a downstream network, by where their values came from (JSON object keys
/// in records).
package enum ChannelGroup: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case inherited, fresh
}

/// One epoch of a deep run: training figures and the input layer's filter energies per group
/// (epoch 0 is the network before training).
package struct DeepEpoch: Sendable, Codable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var seconds: Double
    /// Mean signal and noise energies of the input layer's inherited and fresh filters
    /// against the downstream task's signal subspace (downstream runs only).
    public var inputLayer: [ChannelGroup: FilterEnergy]
}

/// What one deep run recorded (stored as JSON in the run store; docs/theory.md §9b).
public struct DeepRunRecord: Sendable, Codable, Equatable {
    package var role: DeepRole
    /// The run's key in the store (``DeepRun/key``).
    public var key: String
    package var epochs: [DeepEpoch]
    /// On the run's own task's test set.
    public var testAccuracy: Double
    public var testLoss: Double
    /// Rows inherited per transferred weight (transfer runs).
    public var inherited: [String: [Int]]
    /// dim S and D of the input layer's signal subspace (downstream runs).
    package var signalDimension: Int
    package var patchDimension: Int
    /// Linear-probe test accuracy of the last hidden layer's units per group (a group without
    /// units is absent), and the number of units in each.
    package var probeAccuracy: [ChannelGroup: Double]
    package var probeUnits: [ChannelGroup: Int]
    public var parameterCount: Int
    public var seconds: Double

    /// The stored JSON form (`RecordCoding`: sorted keys, non-finite numbers as text).
    public static func encoder() -> JSONEncoder { RecordCoding.encoder() }
    public static func decoder() -> JSONDecoder { RecordCoding.decoder() }
}
