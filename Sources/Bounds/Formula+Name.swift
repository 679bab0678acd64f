//===--- Formula+Name.swift -----------------------------------------------===//

/// The former name of ``Formula``. Foundation also declares a type called `Expression`, so
/// in files that import Foundation the unqualified name is ambiguous; write `Formula` (or
/// `Bounds.Expression`).
package typealias Expression = Formula
