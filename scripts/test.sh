#!/usr/bin/env bash
# Install what is missing, then run the whole test suite: the package's own tests, the example
# package that uses the theory assertions from outside (Examples/theory-assertions), and the
# documentation of the libraries a user imports (DocC, warnings as errors).
# Slow statistical checks run in full with PTV_SLOW_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift test "$@"
(cd Examples/theory-assertions && swift test)
for target in Vocabulary NumericsCore Bounds TransferModel Validation TheoryTesting DeepNetworks DeepExperiments Sweeps; do
  swift package generate-documentation --target "$target" --warnings-as-errors > /dev/null
done
echo "documentation: Vocabulary, NumericsCore, Bounds, TransferModel, Validation, TheoryTesting, DeepNetworks, DeepExperiments, Sweeps built without warnings"
