import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The POSIX file operations behind the package's input and result files, with the system's
/// reason for a failure kept as text (C is reached only from this module).
public enum SystemFile {
    /// An operation that failed: what was tried, on which path, and the system's reason
    /// (`strerror`, lower case).
    public struct Failure: Error, Sendable {
        public let action: String
        public let path: String
        public let reason: String
    }

    /// The errno of the call that just failed, as a failure.
    static func failure(_ action: String, _ path: String) -> Failure {
        Failure(action: action, path: path, reason: String(cString: strerror(errno)).lowercased())
    }

    /// Replace the file at `path` atomically: the bytes go to a hidden temporary file in the same
    /// folder (`.<name>.<pid>.tmp`), which is then renamed over the target, so a reader — or a
    /// process killed at any moment — sees the old file or the new one, never a part. Not synced
    /// to disk (an interrupted process loses nothing written; a machine crash may lose the last
    /// files; syncing costs about a third of a millisecond per file).
    public static func replace(_ path: String, with data: Data) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create", temporary) }
        let written: Failure? = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { return failure("cannot write", temporary) }
                offset += count
            }
            return nil
        }
        let closed = close(fd) == 0 ? nil : failure("cannot write", temporary)
        if let error = written ?? closed {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot replace", path)
            unlink(temporary)
            throw error
        }
    }

    /// What is at a path.
    public enum Kind: Sendable, Equatable {
        case regular(bytes: Int), folder, other
    }

    public static func kind(of path: String) throws(Failure) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("cannot read", path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(bytes: Int(info.st_size))
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    /// The whole content of a file.
    public static func read(_ path: String) throws(Failure) -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot read", path) }
        defer { close(fd) }
        var data = Data(), buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw failure("cannot read", path) }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Create a folder and its parents (nothing if it exists).
    public static func makeFolder(_ path: String) throws(Failure) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw failure("cannot create", path)
        }
    }

    /// Remove a file (nothing if it is absent).
    public static func remove(_ path: String) { unlink(path) }

    /// Whether standard error is a terminal (progress bars redraw; otherwise plain lines).
    public static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
