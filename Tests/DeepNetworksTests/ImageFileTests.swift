@testable import DeepNetworks
import Foundation
@testable import NumericsCore
@testable import Platform
import Testing
@testable import Vocabulary

/// The image readers on fixture files the tests write, and on Fashion-MNIST when installed.
struct ImageFileTests {
    static func folder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ptv-images-\(name)-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func bigEndian(_ values: [Int]) -> [UInt8] { values.flatMap { v in (0..<4).map { UInt8((v >> (8 * (3 - $0))) & 0xff) } } }

    /// Three 2×3 images with pixel (i, y, x) = 10i + 3y + x, labels 2, 0, 1; gzipped and plain.
    @Test(arguments: [true, false])
    func idxFixtureReadsBack(gzipped: Bool) throws {
        let dir = Self.folder("idx-\(gzipped)")
        var pixels: [UInt8] = []
        for i in 0..<3 { for y in 0..<2 { for x in 0..<3 { pixels.append(UInt8(10 * i + 3 * y + x)) } } }
        let images = Self.bigEndian([0x0803, 3, 2, 3]) + pixels, labels = Self.bigEndian([0x0801, 3]) + [2, 0, 1]
        let (ip, lp) = (dir + "/images", dir + "/labels")
        if gzipped {
            try GzipFile.write(images, to: ip)
            try GzipFile.write(labels, to: lp)
        } else {
            FileManager.default.createFile(atPath: ip, contents: Data(images))
            FileManager.default.createFile(atPath: lp, contents: Data(labels))
        }
        let data = try ImageFiles.idx(images: ip, labels: lp, field: "data")
        #expect(data.images.shape == [3, 1, 2, 3] && data.labels == [2, 0, 1] && data.classCount == 3)
        #expect(data.images.storage[1 * 6 + 1 * 3 + 2] == Float(10 + 3 + 2) / 255)
    }

    @Test(arguments: [
        ([0x0802, 1, 1, 1], "magic"), ([0x0803, 2, 2, 2], "holds"), ([0x0803], "magic"),
    ])
    func malformedIDXNamesTheProblem(header: [Int], problem: String) throws {
        let dir = Self.folder("bad-idx")
        FileManager.default.createFile(atPath: dir + "/i", contents: Data(Self.bigEndian(header) + [1, 2, 3]))
        FileManager.default.createFile(atPath: dir + "/l", contents: Data(Self.bigEndian([0x0801, 1]) + [0]))
        #expect {
            _ = try ImageFiles.idx(images: dir + "/i", labels: dir + "/l", field: "data")
        } throws: { error in
            (error as? ConfigError).map { $0.field == "data" && $0.problem.contains(problem) && !$0.problem.contains("\n") } ?? false
        }
        #expect(throws: ConfigError.self) { _ = try ImageFiles.idx(images: dir + "/missing", labels: dir + "/l", field: "data") }
    }

    /// CIFAR-10 and -100 records with known planes: channel c, pixel p holds (c·7 + p) mod 256.
    @Test(arguments: [false, true])
    func cifarFixtureKeepsChannelOrder(hundred: Bool) throws {
        let dir = Self.folder("cifar-\(hundred)")
        var bytes: [UInt8] = []
        for record in 0..<2 {
            bytes += hundred ? [UInt8(record), UInt8(42 + record)] : [UInt8(7 + record)]
            for c in 0..<3 { for p in 0..<1024 { bytes.append(UInt8((c * 7 + p + record) % 256)) } }
        }
        FileManager.default.createFile(atPath: dir + "/batch.bin", contents: Data(bytes))
        let data = try ImageFiles.cifar(files: [dir + "/batch.bin"], hundred: hundred, field: "data")
        #expect(data.images.shape == [2, 3, 32, 32])
        #expect(data.labels == (hundred ? [42, 43] : [7, 8]))
        for c in 0..<3 { #expect(data.images.storage[(1 * 3 + c) * 1024 + 5] == Float((c * 7 + 5 + 1) % 256) / 255) }
        FileManager.default.createFile(atPath: dir + "/short.bin", contents: Data(bytes.dropLast()))
        #expect(throws: ConfigError.self) { _ = try ImageFiles.cifar(files: [dir + "/short.bin"], hundred: hundred, field: "data") }
    }

    /// Label noise at rate p: the flipped fraction is within a binomial 99.9 % band
    /// (n = 20 000, p = 0.2: σ = 0.0028, band ±0.0093), and a flipped label is never the true one.
    @Test func labelNoiseHasItsRate() {
        let n = 20_000
        let data = ImageDataset(images: Tensor(zeros: [n, 1, 1, 1]), labels: (0..<n).map { $0 % 10 }, classCount: 10)
        var rng = SeededGenerator(seed: 12)
        let noisy = data.withLabelNoise(0.2, using: &rng)
        let flipped = zip(noisy.labels, noisy.trueLabels).filter { $0 != $1 }.count
        #expect(abs(Double(flipped) / Double(n) - 0.2) <= 3.29 * (0.2 * 0.8 / Double(n)).squareRoot())
        #expect(noisy.trueLabels == data.labels && noisy.labels.allSatisfy { (0..<10).contains($0) })
    }

    @Test func classSubsetsRelabel() {
        let data = ImageDataset(images: Tensor(shape: [6, 1, 1, 1], storage: [0, 1, 2, 3, 4, 5]), labels: [0, 1, 2, 0, 1, 2], classCount: 3)
        let subset = data.keeping(classes: [2, 0])
        #expect(subset.labels == [1, 0, 1, 0] && subset.images.storage == [0, 2, 3, 5] && subset.classCount == 2)
    }

    /// The real Fashion-MNIST files (Debian's dataset-fashion-mnist), when installed.
    @Test func fashionMNISTWhenInstalled() throws {
        guard FileManager.default.fileExists(atPath: ImageFiles.fashionMNISTFolder) else {
            print("skipped: Fashion-MNIST is not installed (scripts/install-deps.sh installs it)")
            return
        }
        let test = try ImageFiles.fashionMNIST(train: false)
        #expect(test.images.shape == [10_000, 1, 28, 28] && test.classCount == 10)
        #expect((0..<10).allSatisfy { c in test.labels.filter { $0 == c }.count == 1000 })
        #expect(test.images.storage.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}

/// The README's deep config table is `DeepConfig.referenceTable`.
struct DeepConfigTableTests {
    @Test func readmeTableIsTheDeclaration() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        #expect(text.contains(DeepConfig.referenceTable), "README.md must carry DeepConfig.referenceTable:\n\(DeepConfig.referenceTable)")
    }
}
