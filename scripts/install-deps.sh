#!/usr/bin/env bash
# Install the system libraries the package links (GSL, OpenBLAS, GLPK, SQLite, libyaml, zlib) and
# Fashion-MNIST (Debian's dataset-fashion-mnist, for the deep networks) when any is missing;
# with --slurm (what the test script asks for) also Debian's Slurm and munge (the Slurm tests run a
# one-node cluster on loopback) and Chromium (the report pages are checked in a headless browser).
# Debian/Ubuntu; needs root (or sudo) the first time only.
set -euo pipefail
packages=(libgsl-dev libopenblas-dev libglpk-dev libsqlite3-dev libyaml-dev zlib1g-dev dataset-fashion-mnist pkg-config)
[ "${1:-}" = --slurm ] && packages+=(slurm-wlm munge chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# NumPy is optional: the tests replay saved runs with it when it is importable.
if command -v python3 >/dev/null && ! python3 -c "import numpy" 2>/dev/null; then
  python3 -m pip install -q numpy 2>/dev/null || echo "note: NumPy unavailable; the independent replay test will be skipped" >&2
fi
# PyTorch (CPU build, from the machine's local wheel store) is optional too: the deep networks'
# parity tests compare with it when it is importable. A plain `pip install torch` would fetch
# the far larger CUDA build, so the version is pinned.
if command -v python3 >/dev/null && ! python3 -c "import torch" 2>/dev/null; then
  python3 -m pip install -q 'torch==2.13.0+cpu' 2>/dev/null || echo "note: torch unavailable; the PyTorch parity tests will be skipped" >&2
fi
