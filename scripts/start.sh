#!/usr/bin/env bash
# The main job (npm start): set-up, the synthetic study cohorts (generated once, when missing), the reproduction study
# (grids/paper.json: the paper's comparison, trained on the development cohort, evaluated on the internal and external
# test cohorts), the HTML report with its figures, CSVs and paired statistics, and the reference results (results/<grid>/:
# per-patient results and provenance, no weights). Prints where the report is.
#   bash scripts/start.sh [--quick] [--grid FILE] [--out DIR]
# --quick (or EGFR_GTV_FAST=1) runs the grid's reduced "fast" section on a handful of cases: what CI runs, in minutes.
# Study and report go to runs/<grid name> and reports/<grid name> (with -fast in fast mode), or DIR/study, DIR/report.
# Interrupted? Run it again: finished cells are kept and a half-trained one continues from its checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
grid=grids/paper.json
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) export EGFR_GTV_FAST=1 ;;
    --grid) grid="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "start: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
started=$(date +%s)
bash scripts/setup.sh
# Chromium renders the report's figures; kernel-setup installs it (with the notebook tools) and is a no-op when set up.
bash kernel-setup/install.sh
name=$(node -e "process.stdout.write(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).name)" "$grid")
case "${EGFR_GTV_FAST:-0}" in 1|true|TRUE) suffix=-fast; mode="fast mode" ;; *) suffix=""; mode="full mode" ;; esac
if [ -n "$out" ]; then
  study="$out/study"
  report="$out/report"
  results="$out/results"
else
  study="runs/$name$suffix"
  report="reports/$name$suffix"
  # The full run regenerates the committed reference results; fast mode keeps its own beside its study.
  if [ -n "$suffix" ]; then results="runs/$name$suffix-results"; else results="results/$name"; fi
fi
echo "start: $mode, grid $grid, study folder $study"
./bin/egfr-gtv.js ablate --grid "$grid" --out "$study"
elapsed=$(( $(date +%s) - started ))
./bin/egfr-gtv.js report --study "$study" --out "$report" \
  --fact "mode=$mode" \
  --fact "time to the end of the ablation=$((elapsed / 60)) min $((elapsed % 60)) s on $(nproc) CPU cores (cohort synthesis included when it ran)" >/dev/null
total=$(( $(date +%s) - started ))
./bin/egfr-gtv.js export-results --study "$study" --out "$results" --command "npm start$([ -n "$suffix" ] && echo ' -- --quick')" \
  --wall-seconds "$total" >/dev/null
echo "start: done in $((total / 60)) min $((total % 60)) s"
echo "results: $(cd "$results" && pwd) (per-patient results and provenance, no weights)"
echo "report: $(cd "$report" && pwd)/index.html"
