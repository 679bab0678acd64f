#if canImport(Glibc)
import Glibc
#endif

/// An error that reaches the user: one line, and the process's exit code (2 for bad input or
/// usage, the default). The command-line tool maps every error through this protocol in one
/// place; an error type that reaches it without conforming is printed as an unclassified
/// failure, which the CLI tests look for in every command's output, so a new error type cannot
/// slip through silently.
package protocol UserFacingError: Error {
    /// One line for the user, without Swift type names.
    var message: String { get }
    /// The exit code (2 unless a conformance says otherwise).
    var exitCode: Int32 { get }
}

extension UserFacingError {
    package var exitCode: Int32 { 2 }
}

extension ConfigError: UserFacingError {
    package var message: String { description }
}

extension ResultFile.WriteError: UserFacingError {
    package var message: String { description }
}

extension SystemFile.Failure: UserFacingError {
    package var message: String { "\(action) \(InputText.excerpt(path)): \(reason)" }
}

extension YAMLShape.Refusal: UserFacingError {
    package var message: String { description }
}

extension Subprocess.LaunchFailure: UserFacingError {
    package var message: String { "cannot start a program: \(String(cString: strerror(code)).lowercased())" }
}
