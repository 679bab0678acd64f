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
        // SHA-256 of run keys and grid identities.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
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
        // The coefficient engine's fused per-step kernels, compiled for baseline x86-64, AVX2 and
        // AVX-512 and chosen at run time. -Wno-psabi: the 8-double vector type changes the calling
        // convention between those variants, but it never crosses a call (every use is inlined).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-Wno-psabi"])]),
        // Layers by role, each importing only those above it in this list (docs/architecture.md
        // draws the graph; a test compares it with this file).
        //
        // Platform: what talks to the operating system — files (atomic, O_EXCL|O_NOFOLLOW, reads
        // that never block), subprocesses, the YAML shape and the one scalar policy, gzip, NPY,
        // JSON output, the errors a user sees.
        .target(name: "Platform", dependencies: ["CYAML", "CZlib", .product(name: "Yams", package: "Yams")]),
        // The only code that touches C for numerics and the allocator: BLAS, LAPACK, GSL made safe,
        // GLPK, the heap's tuning and peak memory, seeded randomness, matrices, statistics (t,
        // Clopper–Pearson, KS, Holm, the α-spending seed schedule), the fused coefficient kernels and the tolerance policy.
        .target(name: "NumericsCore", dependencies: ["Platform", "CGSL", "COpenBLAS", "CGLPK", "CMalloc", "CKernels"]),
        // The project's vocabulary: config keys with their kinds, defaults and meanings, the theory's
        // constants, the names of every choice and measured quantity. No numerics.
        .target(name: "Vocabulary", dependencies: ["Platform", .product(name: "Yams", package: "Yams")]),
        // The theory's world: task distributions, the two-layer ReLU CNN, GD, Algorithm 1, recorder.
        .target(name: "TransferModel", dependencies: [
            "Platform", "NumericsCore", "Vocabulary",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The theorem's quantities as symbolic expressions, evaluated with GSL; conditions,
        // the threshold d*, log-linear certificates over GLPK, and the proofs/ loader.
        // It carries the proofs folder as a resource — the statements of docs/theory.md §7 and the
        // theory file (`proofs/` at the package root is a link to it) — so packages that depend on
        // this one find them too.
        .target(name: "Bounds", dependencies: [
            "Platform", "NumericsCore", "Vocabulary", .product(name: "BigInt", package: "BigInt"),
            .product(name: "Yams", package: "Yams"),
        ], resources: [.copy("proofs")]),
        // Deep networks (ResNet, ViT) in Float on the same core: layers with hand-written
        // backward passes, optimisers, image datasets.
        .target(name: "DeepNetworks", dependencies: ["Platform", "NumericsCore", "Vocabulary", .product(name: "Yams", package: "Yams")]),
        // Self-contained report pages (Markdown + HTML from one document model) and SVG charts.
        .target(name: "Reports", dependencies: ["Platform"]),
        // The run store: an embedded SQLite file (GRDB) of runs keyed by SHA-256 (swift-crypto) of
        // their effective config, with their config echo and measured rows; shards and Slurm arrays.
        .target(name: "RunStore", dependencies: [
            "Platform", "NumericsCore", "Vocabulary", "TransferModel",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The judge: probes on recorded runs, verdicts, calibration, the ladder of constants,
        // per-statement reports, audits.
        .target(name: "Validation", dependencies: [
            "Platform", "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Reports", "RunStore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Grids of runs in parallel into the run store, exports, phase diagrams.
        .target(name: "Sweeps", dependencies: [
            "Platform", "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Reports", "RunStore", "Validation",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The paper's deep-network claims judged like the lemmas: transfer experiments between
        // two image tasks, matched scratch runs, feature-learning recordings, deep statements.
        .target(name: "DeepExperiments", dependencies: [
            "Platform", "DeepNetworks", "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "Reports", "RunStore", "Validation",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Timings against the references and the machine (`ptv bench`).
        .target(name: "Benchmarks", dependencies: ["Platform", "NumericsCore", "Vocabulary", "TransferModel", "RunStore", "Sweeps"]),
        // "This statement holds on these runs" as a test assertion that fails with the evidence.
        .target(name: "TheoryTesting", dependencies: ["Validation", "Bounds", "TransferModel", "Vocabulary"]),
        // Every reader of user input as one call: the fuzz harness's targets.
        .target(name: "InputSurfaces", dependencies: ["Platform", "Bounds", "TransferModel", "RunStore", "Sweeps", "Validation", "Vocabulary",
                                                      "DeepNetworks", "DeepExperiments", "NumericsCore"]),
        // The thin command-line tool.
        .executableTarget(name: "ptv", dependencies: [
            "Platform", "NumericsCore", "Vocabulary", "TransferModel", "Bounds", "RunStore", "Validation",
            "Sweeps", "DeepNetworks", "DeepExperiments", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], linkerSettings: [
            // A position-dependent release executable: the dynamic loader then has no ~90 000
            // relative relocations to apply at every start (about 1 ms, and 3 ms less per
            // `ptv train` measured); the price is no address randomisation of the binary itself.
            .unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux], configuration: .release)),
        ]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "NumericsCoreTests", dependencies: ["NumericsCore", "Platform", "CGSL", "COpenBLAS"]),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary", "Platform", "TransferModel"]),
        .testTarget(name: "TransferModelTests", dependencies: ["TransferModel", "NumericsCore", "Vocabulary", "Platform"]),
        .testTarget(name: "BoundsTests", dependencies: ["Bounds", "NumericsCore", "Vocabulary", "Platform",
                                                        .product(name: "BigInt", package: "BigInt")]),
        .testTarget(name: "ValidationTests", dependencies: ["Validation", "TheoryTesting", "Bounds", "TransferModel", "NumericsCore", "Vocabulary", "Platform", "RunStore"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "PTVTests", dependencies: ["TransferModel", "NumericsCore", "Vocabulary", "Platform", "RunStore", "Sweeps", "ptv"]),
        .testTarget(name: "DeepNetworksTests", dependencies: ["DeepNetworks", "NumericsCore", "Platform", "Vocabulary"]),
        .testTarget(name: "DeepExperimentsTests", dependencies: ["DeepExperiments", "Bounds", "DeepNetworks", "Validation", "RunStore", "NumericsCore", "Vocabulary", "Platform"]),
        .testTarget(name: "RunStoreTests", dependencies: ["RunStore", "TransferModel", "Platform", "Vocabulary", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "RunStore", "TransferModel", "NumericsCore", "Vocabulary", "Platform", "Bounds", "Validation"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "InputSurfaceTests", dependencies: [
            "InputSurfaces", "Vocabulary", "Platform", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
    ]
)

// The libFuzzer target over the input surfaces, only when asked for: it has no `main` of its own
// (libFuzzer supplies it), so an ordinary build leaves it out. README "Fuzzing" has the command.
if Context.environment["PTV_FUZZ"] != nil {
    package.targets.append(.executableTarget(name: "ptv-fuzz", dependencies: ["InputSurfaces"]))
}
