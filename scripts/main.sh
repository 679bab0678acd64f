#!/usr/bin/env bash
# Install what is missing, build in release mode, and run the main job:
#   1. `ptv validate` on the built-in quick suite, judged at C = 1 and chased up its ladder of
#      constants (C = 2, 4; one worst configuration per statement, docs/theory.md §8b), into
#      validation-report/ (open validation-report/index.html);
#   2. the deep suite deep-quick into validation-report/deep/ (its runs stay in
#      validation-report/deep/runs.sqlite, so a re-run judges them again without training);
#   3. the (d, ‖u‖) phase diagram twice — finite size (validation/grids/phase-d-u.yaml) and placed
#      inside the hypotheses (phase-d-u-regime.yaml) — into validation-report/phase/, side by side
#      in validation-report/phase/side-by-side.html (its stores resume like the deep store);
# and end with a one-screen summary: the verdicts and ladder verdicts, the three reports, and
# the exit code with its meaning.
# Extra arguments go to the first `ptv validate` only, and skip the rest
# (e.g. --suite full --out full-report).
# Exit code: 0 when no statement is violated-persistent (evidence against it) and no deep
# statement is violated, 1 when one is, 2 on bad usage.
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
start=$(date +%s)
deep_summary=$(mktemp)
trap 'rm -f "$deep_summary"' EXIT
# The default folders are this script's own: a re-run replaces the reports it wrote before.
status=0
.build/release/ptv validate --out validation-report --force --chase-configurations 1 \
  --see-also deep/index.html --see-also phase/side-by-side.html || status=$?
[ "$status" -le 1 ] || exit "$status"
deep=0
.build/release/ptv validate --suite deep-quick --out validation-report/deep --force > "$deep_summary" || deep=$?
cat "$deep_summary"
[ "$deep" -le 1 ] || exit "$deep"
phase=validation-report/phase
mkdir -p "$phase"
.build/release/ptv sweep --grid validation/grids/phase-d-u.yaml --store "$phase/finite-size.sqlite" --quiet
.build/release/ptv sweep --grid validation/grids/phase-d-u-regime.yaml --store "$phase/in-regime.sqlite" --quiet
.build/release/ptv phase --store "$phase/in-regime.sqlite" --beside "$phase/finite-size.sqlite" --x d --y u_norm --out "$phase"
code=$(( status > deep ? status : deep ))
elapsed=$(( $(date +%s) - start ))
echo
echo "===== main job: $(( elapsed / 60 )) min $(( elapsed % 60 )) s after the build ====="
cat validation-report/summary.txt
echo "deep-quick: $(grep -E '^[a-z-]+: [0-9]' "$deep_summary" | tail -1)"
echo "reports:"
echo "  validation-report/index.html              the lemmas and theorems, at C = 1 and up the ladder"
echo "  validation-report/deep/index.html         the paper's deep-network claims (deep-quick)"
echo "  validation-report/phase/side-by-side.html the (d, ‖u‖) phase diagram, finite size beside in the regime"
if [ "$code" -eq 0 ]; then
  echo "main job exit code 0: no statement is violated-persistent and no deep statement of the paper is violated"
else
  echo "main job exit code 1: $([ "$status" -eq 1 ] && echo "a statement is violated-persistent (evidence against it as encoded)")$([ "$status" -eq 1 ] && [ "$deep" -eq 1 ] && echo "; ")$([ "$deep" -eq 1 ] && echo "a deep statement of the paper is violated")"
fi
exit "$code"
