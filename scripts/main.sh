#!/usr/bin/env bash
# Install what is missing, build in release mode, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product ptv
.build/release/ptv train --out runs/default --save-arrays "$@"
