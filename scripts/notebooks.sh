#!/usr/bin/env bash
# Executes notebooks headless, top to bottom, and fails on any cell error (runtime or TypeScript type error).
# Executed copies go to .cache/notebooks/ (ignored); the committed notebooks are never touched.
#   bash scripts/notebooks.sh [--fast] [--cell-timeout S] [NOTEBOOK.ipynb ...]   (default: every notebooks/*.ipynb)
# --fast sets EGFR_GTV_FAST=1: each notebook runs its reduced experiment (what CI runs). Without it the real one runs,
# with no time limit per cell unless --cell-timeout is given.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
cell_timeout=-1
notebooks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fast) export EGFR_GTV_FAST=1 ;;
    --cell-timeout) cell_timeout="$2"; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) notebooks+=("$1") ;;
  esac
  shift
done
[ "${#notebooks[@]}" -gt 0 ] || notebooks=(notebooks/*.ipynb)
bash kernel-setup/install.sh
export JUPYTER_PATH="$root/.jupyter/share/jupyter"
exec /usr/bin/python3 kernel-setup/run-notebooks.py --cell-timeout "$cell_timeout" \
  --output-dir "$root/.cache/notebooks" "${notebooks[@]}"
