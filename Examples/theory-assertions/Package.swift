// swift-tools-version: 6.0
// A package of its own that uses this project's theory assertions in its tests, depending on it
// by path: the way a researcher's project would assert theory-vs-run agreement.
import PackageDescription

let package = Package(
    name: "TheoryAssertionsExample",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ParameterTransferVerification", path: "../.."),
    ],
    targets: [
        .testTarget(name: "TheoryAssertionsExampleTests", dependencies: [
            .product(name: "TheoryTesting", package: "ParameterTransferVerification"),
            .product(name: "Validation", package: "ParameterTransferVerification"),
            .product(name: "TransferModel", package: "ParameterTransferVerification"),
            .product(name: "NumericsCore", package: "ParameterTransferVerification"),
        ]),
    ]
)
