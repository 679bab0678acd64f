#!/usr/bin/env bash
# Install what is missing, build in release mode, and run the main job: `ptv validate` on the
# built-in quick suite, writing validation-report/ (open validation-report/index.html).
# Extra arguments go to `ptv validate` (e.g. --suite full --out full-report).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Swift runtime linked statically: a few milliseconds less start-up for every ptv process.
swift build -c release --static-swift-stdlib --product ptv
args=("$@")
# The default folder is this script's own: a re-run replaces the report it wrote before.
case " $* " in *" --out "*) ;; *) args+=(--out validation-report --force) ;; esac
exec .build/release/ptv validate "${args[@]}"
