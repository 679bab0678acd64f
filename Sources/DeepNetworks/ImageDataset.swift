import Foundation
import NumericsCore
import Platform
import Vocabulary

/// Labelled images in Float, NCHW (pixels scaled to [0, 1] when read), with the task
/// operations of the deep experiments: class subsets, sub-sampling, label noise, input noise,
/// standard normalisation, and random crop and flip for training batches.
public struct ImageDataset: Sendable {
    /// [N, C, H, W].
    public var images: Tensor<Float>
    public var labels: [Int]
    /// Labels before label noise.
    public var trueLabels: [Int]
    public var classCount: Int

    public init(images: Tensor<Float>, labels: [Int], classCount: Int) {
        precondition(images.shape.count == 4 && images.shape[0] == labels.count)
        self.images = images
        self.labels = labels
        trueLabels = labels
        self.classCount = classCount
    }

    public var count: Int { labels.count }
    /// C·H·W, the size of one image.
    package var imageSize: Int { images.shape[1] * images.shape[2] * images.shape[3] }

    /// The images of the listed classes only, relabelled 0..<classes.count in the order given.
    public func keeping(classes: [Int]) -> ImageDataset {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let kept = labels.indices.filter { index[trueLabels[$0]] != nil }
        var result = selecting(kept)
        result.labels = kept.map { index[labels[$0]] ?? index[trueLabels[$0]]! }
        result.trueLabels = kept.map { index[trueLabels[$0]]! }
        result.classCount = classes.count
        return result
    }

    /// The images at `indices`, in that order.
    public func selecting(_ indices: [Int]) -> ImageDataset {
        let size = imageSize
        var storage = [Float]()
        storage.reserveCapacity(indices.count * size)
        for i in indices { storage += images.storage[(i * size)..<((i + 1) * size)] }
        var result = ImageDataset(images: Tensor(shape: [indices.count] + Array(images.shape.dropFirst()), storage: storage),
                                  labels: indices.map { labels[$0] }, classCount: classCount)
        result.trueLabels = indices.map { trueLabels[$0] }
        return result
    }

    /// `n` images drawn without replacement (all of them, shuffled, when n ≥ count).
    public func sample(_ n: Int, using rng: inout SeededGenerator) -> ImageDataset {
        selecting(rng.choose(min(n, count), from: count).shuffled(using: &rng))
    }

    /// Each label replaced, with probability p, by a different class chosen uniformly.
    public func withLabelNoise(_ p: Double, using rng: inout SeededGenerator) -> ImageDataset {
        guard p > 0, classCount > 1 else { return self }
        var result = self
        for i in labels.indices where rng.bernoulli(p) {
            let other = Int(rng.next() % UInt64(classCount - 1))
            result.labels[i] = other >= trueLabels[i] ? other + 1 : other
        }
        return result
    }

    /// The labels permuted uniformly among the images (class counts kept, no label tied to
    /// its image any more).
    public func withShuffledLabels(using rng: inout SeededGenerator) -> ImageDataset {
        var result = self
        result.labels.shuffle(using: &rng)
        return result
    }

    /// N(0, σ²) added to every pixel.
    public func withInputNoise(_ sigma: Double, using rng: inout SeededGenerator) -> ImageDataset {
        guard sigma > 0 else { return self }
        var result = self
        for e in result.images.storage.indices { result.images.storage[e] += Float(sigma * rng.gaussian()) }
        return result
    }

    /// Per-channel mean and standard deviation over every image and pixel.
    public var channelStatistics: (mean: [Float], deviation: [Float]) {
        let (n, c, area) = (images.shape[0], images.shape[1], images.shape[2] * images.shape[3])
        var mean = [Float](), deviation = [Float]()
        for ch in 0..<c {
            var sum = 0.0, square = 0.0
            for s in 0..<n { for p in 0..<area { let v = Double(images.storage[(s * c + ch) * area + p]); sum += v; square += v * v } }
            let m = sum / Double(n * area)
            mean.append(Float(m))
            deviation.append(Float(max(square / Double(n * area) - m * m, 0).squareRoot()))
        }
        return (mean, deviation)
    }

    /// (x − mean_c)/deviation_c per channel (statistics usually of the training set).
    public func normalised(mean: [Float], deviation: [Float]) -> ImageDataset {
        var result = self
        let (c, area) = (images.shape[1], images.shape[2] * images.shape[3])
        for e in result.images.storage.indices {
            let ch = (e / area) % c
            result.images.storage[e] = (result.images.storage[e] - mean[ch]) / max(deviation[ch], 1e-6)
        }
        return result
    }

    /// A batch of the images at `indices`, each (when `augment`) shifted by a random crop of
    /// the image padded by `padding` zeros and flipped left–right with probability ½.
    public func batch(_ indices: [Int], augment: Bool = false, padding: Int = 2, using rng: inout SeededGenerator) -> (Tensor<Float>, [Int]) {
        var images = selecting(indices).images
        if augment {
            let (c, h, w) = (images.shape[1], images.shape[2], images.shape[3])
            let original = images
            for s in 0..<indices.count {
                let dy = Int(rng.next() % UInt64(2 * padding + 1)) - padding, dx = Int(rng.next() % UInt64(2 * padding + 1)) - padding
                let flip = rng.bernoulli(0.5)
                for ch in 0..<c { for y in 0..<h { for x in 0..<w {
                    let (sy, sx0) = (y + dy, x + dx)
                    let sx = flip ? w - 1 - sx0 : sx0
                    let inside = sy >= 0 && sy < h && sx0 >= 0 && sx0 < w
                    images.storage[((s * c + ch) * h + y) * w + x] = inside ? original.storage[((s * c + ch) * h + sy) * w + sx] : 0
                } } }
            }
        }
        return (images, indices.map { labels[$0] })
    }
}

/// Readers of the image file formats (docs/theory.md §9): IDX (MNIST, Fashion-MNIST; gzipped
/// or not) and the CIFAR-10/100 binary batches. A malformed file is a `ConfigError` naming it.
public enum ImageFiles {
    /// Fashion-MNIST as Debian's `dataset-fashion-mnist` installs it.
    public static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
    /// The largest file a reader accepts, decompressed (the largest real one is 47 MB).
    static let largestFile = 1 << 30

    /// An IDX pair (images: magic 0x00000803, ubyte, N × H × W; labels: 0x00000801, N) as a
    /// one-channel dataset with pixels / 255. `field` names the option in errors.
    public static func idx(images: String, labels: String, field: String) throws -> ImageDataset {
        func bytes(_ path: String) throws -> [UInt8] {
            do { return try GzipFile.read(path, limit: largestFile) } catch {
                throw ConfigError(field: field, "\(error.action) \(InputText.excerpt(error.path)): \(error.reason)")
            }
        }
        func bad(_ path: String, _ problem: String) -> ConfigError {
            ConfigError(field: field, "\(InputText.excerpt(path)) is not an IDX file (\(problem))")
        }
        func header(_ b: [UInt8], at offset: Int) -> Int {
            (0..<4).reduce(0) { $0 << 8 | Int(b[offset + $1]) }
        }
        let image = try bytes(images), label = try bytes(labels)
        guard image.count >= 16, header(image, at: 0) == 0x0803 else { throw bad(images, "expected magic 0x00000803 for 3-dimensional unsigned bytes") }
        guard label.count >= 8, header(label, at: 0) == 0x0801 else { throw bad(labels, "expected magic 0x00000801 for 1-dimensional unsigned bytes") }
        let (n, h, w) = (header(image, at: 4), header(image, at: 8), header(image, at: 12))
        guard n > 0, h > 0, w > 0, n <= 10_000_000, h <= 4096, w <= 4096, image.count == 16 + n * h * w else {
            throw bad(images, "header says \(n) images of \(h)×\(w), but the file holds \(image.count - 16) pixel bytes")
        }
        guard header(label, at: 4) == n, label.count == 8 + n else { throw bad(labels, "it does not hold one label per image (\(n))") }
        let classes = (label[8...].max().map(Int.init) ?? 0) + 1
        return ImageDataset(images: Tensor(shape: [n, 1, h, w], storage: image[16...].map { Float($0) / 255 }),
                            labels: label[8...].map(Int.init), classCount: classes)
    }

    /// Fashion-MNIST's training or test split from `folder`.
    public static func fashionMNIST(train: Bool, folder: String = fashionMNISTFolder, field: String = "data") throws -> ImageDataset {
        let (images, labels) = try fashionMNISTFiles(train: train, folder: folder, field: field)
        return try idx(images: images, labels: labels, field: field)
    }

    /// The image and label files of a Fashion-MNIST split in `folder`.
    static func fashionMNISTFiles(train: Bool, folder: String, field: String) throws -> (images: String, labels: String) {
        let prefix = train ? "train" : "t10k"
        let path = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        guard FileManager.default.fileExists(atPath: path("\(prefix)-images-idx3-ubyte.gz")) else {
            throw ConfigError(field: field, "Fashion-MNIST not found in \(InputText.excerpt(folder)): install Debian's dataset-fashion-mnist (scripts/install-deps.sh does) or give --data")
        }
        return (path("\(prefix)-images-idx3-ubyte.gz"), path("\(prefix)-labels-idx1-ubyte.gz"))
    }

    /// [N, 1, H, W] from an IDX image file's 16-byte header, read without the pixels (the memory
    /// a split needs is known before it is read).
    static func idxShape(_ path: String, field: String) throws -> [Int] {
        let header: [UInt8]
        do { header = try GzipFile.read(path, limit: 16, prefixOnly: true) } catch {
            throw ConfigError(field: field, "\(error.action) \(InputText.excerpt(error.path)): \(error.reason)")
        }
        func word(_ offset: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(header[offset + $1]) } }
        guard header.count == 16, word(0) == 0x0803 else {
            throw ConfigError(field: field, "\(InputText.excerpt(path)) is not an IDX file (expected magic 0x00000803 for 3-dimensional unsigned bytes)")
        }
        guard word(4) > 0, word(8) > 0, word(12) > 0, word(4) <= 10_000_000, word(8) <= 4096, word(12) <= 4096 else {
            throw ConfigError(field: field, "\(InputText.excerpt(path)) declares \(word(4)) images of \(word(8))×\(word(12)) (at most 10⁷ images of 4096×4096)")
        }
        return [word(4), 1, word(8), word(12)]
    }

    /// CIFAR binary batches: records of 1 label byte (CIFAR-10) or 2 (CIFAR-100: coarse, fine;
    /// the fine label is used), then 3 072 bytes — the red, green and blue 32×32 planes, row-major.
    public static func cifar(files: [String], hundred: Bool, field: String) throws -> ImageDataset {
        let labelBytes = hundred ? 2 : 1, record = labelBytes + 3072
        var pixels: [Float] = [], labels: [Int] = []
        for path in files {
            let data: [UInt8]
            do { data = try GzipFile.read(path, limit: largestFile) } catch {
                throw ConfigError(field: field, "\(error.action) \(InputText.excerpt(error.path)): \(error.reason)")
            }
            guard !data.isEmpty, data.count % record == 0 else {
                throw ConfigError(field: field, "\(InputText.excerpt(path)) is not a CIFAR-\(hundred ? 100 : 10) binary file (\(data.count) bytes is not a whole number of \(record)-byte records)")
            }
            for start in stride(from: 0, to: data.count, by: record) {
                let label = Int(data[start + labelBytes - 1])
                guard label < (hundred ? 100 : 10) else {
                    throw ConfigError(field: field, "\(InputText.excerpt(path)): record \(start / record) has label \(label), outside 0..<\(hundred ? 100 : 10)")
                }
                labels.append(label)
                pixels += data[(start + labelBytes)..<(start + record)].map { Float($0) / 255 }
            }
        }
        return ImageDataset(images: Tensor(shape: [labels.count, 3, 32, 32], storage: pixels), labels: labels, classCount: hundred ? 100 : 10)
    }
}
