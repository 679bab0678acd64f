import Testing
@testable import Sweeps
@testable import TransferModel

struct SweepGridTests {}
