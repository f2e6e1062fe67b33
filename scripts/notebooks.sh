#!/usr/bin/env bash
# Executes notebooks headless, top to bottom, and fails on any cell error (runtime or TypeScript type error).
#   bash scripts/notebooks.sh [--fast] [--cell-timeout S] [--output-dir DIR] [NOTEBOOK.ipynb ...]
# Default: every notebooks/*.ipynb, executed copies to .cache/notebooks/ (ignored); the committed notebooks are never
# touched. --fast sets EGFR_GTV_FAST=1: each notebook runs its reduced experiment (what CI runs). Without it the real
# one runs, with no time limit per cell unless --cell-timeout is given. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
cell_timeout=-1
output_dir="$root/.cache/notebooks"
notebooks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) export EGFR_GTV_FAST=1 ;;
    --cell-timeout) cell_timeout="$2"; shift ;;
    --output-dir) output_dir="$2"; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    -*) echo "notebooks.sh: unknown option '$1'" >&2; exit 2 ;;
    *) notebooks+=("$1") ;;
  esac
  shift
done
[ "${#notebooks[@]}" -gt 0 ] || notebooks=(notebooks/*.ipynb)
bash kernel-setup/install.sh >/dev/null
# Everything Jupyter writes or looks up stays inside the checkout: CI's root may have no usable home directory.
export JUPYTER_PATH="$root/.jupyter/share/jupyter"
export JUPYTER_RUNTIME_DIR="$root/.jupyter/runtime"
export JUPYTER_PLATFORM_DIRS=1
exec /usr/bin/python3 kernel-setup/run-notebooks.py --cell-timeout "$cell_timeout" --output-dir "$output_dir" \
  "${notebooks[@]}"
