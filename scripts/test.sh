#!/usr/bin/env bash
# Install what is missing, then run the whole test suite: the package's own tests, the example
# package that uses the theory assertions from outside (Examples/theory-assertions), and the
# documentation of the libraries a user imports (DocC, warnings as errors). The Slurm tests run
# against a one-node Slurm on loopback that this script starts and stops (scripts/slurm-loopback.sh).
# Slow statistical checks run in full with PTV_SLOW_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --slurm
# Every temporary file of the tests goes into one folder: removed when everything passes, kept
# (and named) when something fails.
test_tmp=$(mktemp -d /tmp/ptv-tests.XXXXXX)
export TMPDIR="$test_tmp"
# A one-node Slurm cluster on loopback for the Slurm tests, stopped by pid however this ends.
slurm_dir=$(mktemp -d /tmp/ptv-slurm.XXXXXX)
finish() {
  local status=$?
  scripts/slurm-loopback.sh stop "$slurm_dir"
  if [ "$status" -eq 0 ]; then rm -rf "$test_tmp" "$slurm_dir"; else echo "test files kept in $test_tmp" >&2; fi
}
trap finish EXIT
if [ "$(id -u)" -eq 0 ] && eval "$(scripts/slurm-loopback.sh start "$slurm_dir")"; then
  echo "slurm: one-node cluster on loopback ($SLURM_CONF)"
else
  echo "slurm: no cluster (needs root); the Slurm tests will say they skipped" >&2
fi
# The Slurm tests run on their own after the rest: their array tasks are whole processes that
# would otherwise compete for the 2 cores with the timing-sensitive CLI tests.
swift test --skip SlurmTests "$@"
swift test --skip-build --filter SlurmTests
(cd Examples/theory-assertions && swift test)
for target in Vocabulary NumericsCore Bounds TransferModel Validation TheoryTesting DeepNetworks DeepExperiments Sweeps; do
  swift package generate-documentation --target "$target" --warnings-as-errors > /dev/null
done
echo "documentation: Vocabulary, NumericsCore, Bounds, TransferModel, Validation, TheoryTesting, DeepNetworks, DeepExperiments, Sweeps built without warnings"
