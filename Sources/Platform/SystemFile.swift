import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The POSIX file operations behind the package's input and result files, with the system's
/// reason for a failure kept as text (C is reached only from this module).
package enum SystemFile {
    /// An operation that failed: what was tried, on which path, and the system's reason
    /// (`strerror`, lower case).
    package struct Failure: Error, Sendable {
        package let action: String
        package let path: String
        package let reason: String
    }

    /// The errno of the call that just failed, as a failure.
    static func failure(_ action: String, _ path: String) -> Failure {
        Failure(action: action, path: path, reason: String(cString: strerror(errno)).lowercased())
    }

    /// Replace the file at `path` atomically: the bytes go to a new hidden file in the same
    /// folder (`.<name>.<pid>.<random>.tmp`, created with O_EXCL and O_NOFOLLOW, so a file or link
    /// planted under that name is never written through), which is then renamed over the target,
    /// so a reader — or a process killed at any moment — sees the old file or the new one, never
    /// a part. A target that exists and is not a regular file (a folder, a FIFO, a device, a
    /// socket, a symbolic link) is refused, never replaced. Not synced to disk (an interrupted
    /// process loses nothing written; a machine crash may lose the last files; syncing costs
    /// about a third of a millisecond per file).
    package static func replace(_ path: String, with data: Data) throws(Failure) {
        var info = stat()
        if lstat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFREG {
            throw Failure(action: "cannot replace", path: path, reason: "it exists and is \(describe(info.st_mode)), not a regular file")
        }
        let url = URL(fileURLWithPath: path)
        var temporary = "", fd: Int32 = -1
        for _ in 0..<8 {
            temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
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

    /// "a folder", "a FIFO", … for a file type.
    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        case S_IFREG: "a file"
        default: "not a regular file"
        }
    }

    /// A path a result may be written to or a store created at: absent, or a regular file (a
    /// link, a FIFO, a device or a socket is refused, so nothing but our own files is replaced).
    package static func checkWritable(_ path: String) throws(Failure) {
        var info = stat()
        if lstat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFREG {
            throw Failure(action: "cannot write", path: path, reason: "it exists and is \(describe(info.st_mode)), not a regular file")
        }
    }

    /// An input file opened for reading: opened without blocking (a FIFO or a device with no
    /// writer would wait forever), then required to be a regular file (checked on the open
    /// descriptor, so nothing can swap the file in between). Returns the descriptor and the size.
    package static func openRegular(_ path: String) throws(Failure) -> (descriptor: Int32, bytes: Int) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot read", path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { let error = failure("cannot read", path); close(fd); throw error }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw Failure(action: "cannot read", path: path, reason: "\(describe(info.st_mode)), not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int(info.st_size))
    }

    /// What is at a path.
    package enum Kind: Sendable, Equatable {
        case regular(bytes: Int), folder, other
    }

    package static func kind(of path: String) throws(Failure) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("cannot read", path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(bytes: Int(info.st_size))
        case S_IFDIR: return .folder
        default: return .other
        }
    }

    /// The whole content of a regular file of at most `limit` bytes (``openRegular(_:)``: a FIFO
    /// or a device is refused, never waited on).
    package static func read(_ path: String, limit: Int = Int.max) throws(Failure) -> Data {
        let (fd, size) = try openRegular(path)
        defer { close(fd) }
        guard size <= limit else { throw Failure(action: "cannot read", path: path, reason: "\(size) bytes; at most \(limit) are read") }
        var data = Data(), buffer = [UInt8](repeating: 0, count: 1 << 16)
        data.reserveCapacity(size)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw failure("cannot read", path) }
            if count == 0 { return data }
            guard data.count + count <= limit else { throw Failure(action: "cannot read", path: path, reason: "more than \(limit) bytes") }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    /// Create a folder and its parents (nothing if it exists); a path that exists and is not a
    /// folder is refused with what it is.
    package static func makeFolder(_ path: String) throws(Failure) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw Failure(action: "cannot create the folder", path: path, reason: "it exists and is \(describe(info.st_mode))")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeFolder(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure("cannot create", path) }
    }

    /// Remove a file (nothing if it is absent).
    package static func remove(_ path: String) { unlink(path) }

    /// Whether standard error is a terminal (progress bars redraw; otherwise plain lines).
    package static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
