// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ParameterTransferVerification",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ptv", targets: ["ptv"]),
        .library(name: "Vocabulary", targets: ["Vocabulary"]),
        .library(name: "NumericsCore", targets: ["NumericsCore"]),
        .library(name: "TransferModel", targets: ["TransferModel"]),
        .library(name: "Bounds", targets: ["Bounds"]),
        .library(name: "Sweeps", targets: ["Sweeps"]),
        .library(name: "DeepNetworks", targets: ["DeepNetworks"]),
        .library(name: "Validation", targets: ["Validation"]),
        .library(name: "DeepExperiments", targets: ["DeepExperiments"]),
        .library(name: "TheoryTesting", targets: ["TheoryTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        // `swift package generate-documentation` (DocC) for the libraries a user imports.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // Property-based tests with shrinking over every input surface (InputSurfaceTests).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        // C at the bottom. GSL has no `pkgConfig:` on purpose: gsl.pc adds -lgslcblas, and GSL
        // must run on OpenBLAS's CBLAS (the module map links openblas first).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CGSL", providers: [.apt(["libgsl-dev"])]),
        // GLPK's exact rational simplex for the certificate checker (no pkg-config file: the
        // module map links "glpk").
        .systemLibrary(name: "CGLPK", providers: [.apt(["libglpk-dev"])]),
        // libyaml's event parser, to bound an input file's shape before it is composed.
        .systemLibrary(name: "CYAML", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // glibc's mallopt (allocator tuning for the command-line tool; libc, nothing to link).
        .systemLibrary(name: "CMalloc"),
        // The project's vocabulary: config keys with their kinds, defaults and meanings, the theory's
        // constants, the names of every choice; the shared input/output (YAML input errors, JSON,
        // atomic result files). No numerics.
        .target(name: "Vocabulary", dependencies: ["NumericsCore", .product(name: "Yams", package: "Yams")]),
        // The only code that touches C: BLAS, GSL made safe, seeded randomness, array files, and the
        // YAML event scan that bounds input files.
        .target(name: "NumericsCore", dependencies: ["CGSL", "COpenBLAS", "CGLPK", "CMalloc", "CYAML", "CZlib"]),
        // The theory's world: task distributions, the two-layer ReLU CNN, GD, Algorithm 1, recorder.
        .target(name: "TransferModel", dependencies: [
            "NumericsCore", "Vocabulary",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The theorem's quantities as symbolic expressions, evaluated with GSL; conditions,
        // the threshold d*, log-linear certificates over GLPK, and the proofs/ loader.
        // It carries the proofs folder as a resource — the statements of docs/theory.md §7 and the
        // theory file (`proofs/` at the package root is a link to it) — so packages that depend on
        // this one find them too.
        .target(name: "Bounds", dependencies: [
            "NumericsCore", "Vocabulary", .product(name: "BigInt", package: "BigInt"),
            .product(name: "Yams", package: "Yams"),
        ], resources: [.copy("proofs")]),
        // Self-contained report pages (Markdown + HTML from one document model) and SVG charts.
        .target(name: "Reports"),
        // The judge: probes on recorded runs, verdicts, calibration, per-statement reports.
        .target(name: "Validation", dependencies: [
            "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Reports",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Deep networks (ResNet, ViT) in Float on the same core: layers with hand-written
        // backward passes, optimisers, image datasets.
        .target(name: "DeepNetworks", dependencies: ["NumericsCore", "Vocabulary", .product(name: "Yams", package: "Yams")]),
        // The paper's deep-network claims judged like the lemmas: transfer experiments between
        // two image tasks, matched scratch runs, feature-learning recordings, deep statements.
        .target(name: "DeepExperiments", dependencies: [
            "DeepNetworks", "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Validation", "Sweeps", "Reports",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Grids of runs in parallel, an embedded SQLite store (GRDB), exports, phase diagrams.
        .target(name: "Sweeps", dependencies: [
            "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Reports", "Validation",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // "This statement holds on these runs" as a test assertion that fails with the evidence.
        .target(name: "TheoryTesting", dependencies: ["Validation", "Bounds", "TransferModel", "Vocabulary"]),
        // Every reader of user text as one call: the fuzz harness's targets.
        .target(name: "InputSurfaces", dependencies: ["Bounds", "TransferModel", "Sweeps", "Validation", "Vocabulary",
                                                      "DeepNetworks", "DeepExperiments", "NumericsCore"]),
        // The thin command-line tool.
        .executableTarget(name: "ptv", dependencies: [
            "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Validation",
            "Sweeps", "DeepNetworks", "DeepExperiments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // A position-dependent release executable: the dynamic loader then has no ~90 000
            // relative relocations to apply at every start (about 1 ms, and 3 ms less per
            // `ptv train` measured); the price is no address randomisation of the binary itself.
            .unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux], configuration: .release)),
        ]),
        .testTarget(name: "NumericsCoreTests", dependencies: ["NumericsCore", "CGSL", "COpenBLAS"]),
        .testTarget(name: "TransferModelTests", dependencies: ["TransferModel", "NumericsCore", "Vocabulary"]),
        .testTarget(name: "BoundsTests", dependencies: ["Bounds", "NumericsCore", "Vocabulary",
                                                        .product(name: "BigInt", package: "BigInt")]),
        .testTarget(name: "ValidationTests", dependencies: ["Validation", "TheoryTesting", "Bounds", "TransferModel", "NumericsCore", "Vocabulary"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "PTVTests", dependencies: ["TransferModel", "NumericsCore", "Vocabulary", "Sweeps", "ptv"]),
        .testTarget(name: "DeepNetworksTests", dependencies: ["DeepNetworks", "NumericsCore"]),
        .testTarget(name: "DeepExperimentsTests", dependencies: ["DeepExperiments", "DeepNetworks", "Validation", "Sweeps", "NumericsCore", "Vocabulary"]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "TransferModel", "NumericsCore", "Vocabulary", "Bounds", "Validation"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "InputSurfaceTests", dependencies: [
            "InputSurfaces", "Vocabulary", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
    ]
)

// The libFuzzer target over the input surfaces, only when asked for: it has no `main` of its own
// (libFuzzer supplies it), so an ordinary build leaves it out. README "Fuzzing" has the command.
if Context.environment["PTV_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "ptv-fuzz", dependencies: ["InputSurfaces"]))
}
