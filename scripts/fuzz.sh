#!/usr/bin/env bash
# Fuzz every reader of user text (expression parser, prover input, definitions, configs, grids,
# suites, statement files, theory files) with libFuzzer for SECONDS (default 60): `scripts/fuzz.sh 1800`.
# The first byte of an input picks the reader; the seed corpus is the project's own files.
# Findings (crash-*, timeout-*, oom-* files) land in .build/fuzz/findings; a refusal that is not
# one line counts as a crash. Limits per input: 10 s and 8 GiB.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scripts/install-deps.sh
# The fuzz target exists only with PTV_FUZZ set; it links with lld (gold fails on the
# instrumented objects) and in its own build folder, so the ordinary build is untouched.
PTV_FUZZ=1 swift build -c release --scratch-path .build/fuzz --product ptv-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --toolset scripts/fuzz-toolset.json
corpus=.build/fuzz/corpus findings=.build/fuzz/findings
mkdir -p "$corpus" "$findings"
seed() {  # seed SURFACE-INDEX FILE...: one corpus entry per file, prefixed by the surface byte
  local index=$1; shift
  for file in "$@"; do
    { printf "\\$(printf '%03o' "$index")"; cat "$file"; } > "$corpus/seed-$index-$(basename "$file")"
  done
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'init_norm_sq >= sigma0^2*d/2' > "$tmp/relation"
printf 'x >= y^2\ny >= z^3\nx >= z^6' > "$tmp/proof"
printf 'a = x + 1\nb = a^2 / log(y)' > "$tmp/definitions"
printf 'd: 200\nm: 5\nN1: 30\nconstants: {C: 1, C1: 2}\nsampler: gram\n' > "$tmp/config"
seed 0 "$tmp/relation"; seed 1 "$tmp/proof"; seed 2 "$tmp/definitions"; seed 3 "$tmp/config"
seed 4 validation/grids/*.yaml
seed 5 validation/quick.yaml validation/finite-size.yaml
seed 6 proofs/*.yaml
seed 7 proofs/theory.yaml proofs/candidates/learning.yaml
.build/fuzz/x86_64-unknown-linux-gnu/release/ptv-fuzz "$corpus" -artifact_prefix="$findings/" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=8192 -max_len=16384 -print_final_stats=1
