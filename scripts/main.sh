#!/usr/bin/env bash
# Install what is missing, build in release mode, and run the main job: `ptv validate` on the
# built-in quick suite, writing validation-report/ (open validation-report/index.html), then the
# deep suite deep-quick into validation-report/deep/ (its runs stay in
# validation-report/deep/runs.sqlite, so a re-run judges them again without training), then the
# (d, ‖u‖) phase diagram twice — finite size (validation/grids/phase-d-u.yaml) and placed inside
# the hypotheses (phase-d-u-regime.yaml, about 7 min) — into validation-report/phase/, side by
# side in validation-report/phase/side-by-side.html (its stores resume like the deep store).
# Extra arguments go to the first `ptv validate` only, and skip the deep suite
# (e.g. --suite full --out full-report).
# Exit code: 0 when no statement is violated, 1 when one is, 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Swift runtime linked statically: a few milliseconds less start-up for every ptv process.
swift build -c release --static-swift-stdlib --product ptv
if [ $# -gt 0 ]; then
  args=("$@")
  case " $* " in *" --out "*) ;; *) args+=(--out validation-report --force) ;; esac
  exec .build/release/ptv validate "${args[@]}"
fi
# The default folders are this script's own: a re-run replaces the reports it wrote before.
status=0
.build/release/ptv validate --out validation-report --force \
  --see-also deep/index.html --see-also phase/side-by-side.html || status=$?
[ "$status" -le 1 ] || exit "$status"
deep=0
.build/release/ptv validate --suite deep-quick --out validation-report/deep --force || deep=$?
[ "$deep" -le 1 ] || exit "$deep"
phase=validation-report/phase
mkdir -p "$phase"
.build/release/ptv sweep --grid validation/grids/phase-d-u.yaml --store "$phase/finite-size.sqlite" --quiet
.build/release/ptv sweep --grid validation/grids/phase-d-u-regime.yaml --store "$phase/in-regime.sqlite" --quiet
.build/release/ptv phase --store "$phase/in-regime.sqlite" --beside "$phase/finite-size.sqlite" --x d --y u_norm --out "$phase"
exit $(( status > deep ? status : deep ))
