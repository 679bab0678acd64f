#!/usr/bin/env bash
# Install what is missing, then run the whole test suite: the package's own tests, then the
# example package that uses the theory assertions from outside (Examples/theory-assertions).
# Slow statistical checks run in full with PTV_SLOW_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift test "$@"
(cd Examples/theory-assertions && swift test)
