#!/usr/bin/env bash
# Fuzz every reader of user input (expression parser, prover input, definitions, configs, grids,
# suites, statement files, theory files, deep configs and suites, IDX and CIFAR files, safetensors
# checkpoints, run stores, output paths, and lists long enough to expose quadratic checks) with
# libFuzzer for SECONDS (default 60): `scripts/fuzz.sh 1800`. The first byte of an input picks the
# reader (InputSurface's order); the seed corpus is the project's own files and small fixtures
# written here. The file surfaces work in a private folder under the temporary folder.
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
printf 'model: small34\ntrain_samples: 100\nclasses: [0, 1, 2]\nepochs: 2\n' > "$tmp/deep"
seed 8 "$tmp/deep"
seed 9 validation/deep-quick.yaml validation/deep-full.yaml
python3 - "$tmp" <<'PY'
import gzip, json, sqlite3, struct, sys
tmp = sys.argv[1]
be = lambda *v: b"".join(struct.pack(">i", x) for x in v)
open(f"{tmp}/idx", "wb").write(be(0x0803, 2, 3, 3) + bytes(range(18)) + b"\xff\xfe" + be(0x0801, 2) + b"\x01\x00")
open(f"{tmp}/cifar", "wb").write(b"\x03" + bytes(3072))
header = json.dumps({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}).encode()
header += b" " * (-len(header) % 8)
open(f"{tmp}/checkpoint", "wb").write(struct.pack("<Q", len(header)) + header + bytes(16))
c = sqlite3.connect(f"{tmp}/store")
c.executescript("""
CREATE TABLE run (key TEXT PRIMARY KEY NOT NULL, cell TEXT NOT NULL, seed TEXT NOT NULL, config TEXT NOT NULL, grid TEXT NOT NULL, engines TEXT NOT NULL, seconds REAL NOT NULL, finished TEXT NOT NULL);
CREATE TABLE phase (run_key TEXT NOT NULL, phase TEXT NOT NULL, test_error REAL, trajectory TEXT NOT NULL, PRIMARY KEY (run_key, phase));
INSERT INTO run VALUES ('k', 'c', '0', '{"d": 50}', '{}', '{}', 1.0, 'now');
INSERT INTO phase VALUES ('k', 'transfer', 0.1, '');
""")
c.commit()
open(f"{tmp}/path", "w").write("result.json")
open(f"{tmp}/long", "wb").write(bytes([0xff, 0xff, 0x00]))
PY
seed 10 "$tmp/idx"; seed 11 "$tmp/cifar"; seed 12 "$tmp/checkpoint"; seed 13 "$tmp/store"; seed 14 "$tmp/path"; seed 15 "$tmp/long"
.build/fuzz/x86_64-unknown-linux-gnu/release/ptv-fuzz "$corpus" -artifact_prefix="$findings/" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=8192 -max_len=16384 -print_final_stats=1
