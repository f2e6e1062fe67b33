# Shared by install.sh, check.sh and scripts/notebooks.sh: what a notebook set-up consists of, and how to tell
# whether each part is present. Expects the repository root as the working directory and in $root.

# Debian's Jupyter runs notebooks headless; Chromium renders Plotly figures to PNG and SVG, in the DejaVu fonts that
# lib/plots asks for (named, since Chromium only recommends a font package).
APT_PACKAGES=(jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel chromium fonts-dejavu-core)
JUPYTER_DATA="$root/.jupyter/share/jupyter"
KERNEL_JSON="$JUPYTER_DATA/kernels/tslab/kernel.json"
KERNEL_LAUNCHER="$root/kernel-setup/tslab-kernel"
LIBRARY_LINK="$root/node_modules/egfr-gtv"

apt_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# tslab resolves a cell's `import ... from 'egfr-gtv'` (and 'egfr-gtv/model', one concept per folder of lib/) as Node
# does, through node_modules, both for its type check (its own TypeScript 5.0.4, Node10 resolution, which reads "types")
# and at run time (through "main", loaded by tsx's hook). Generated packages whose fields point back at lib/ keep the
# library live source: no build step, no stale copy, and its files are not type-checked again by tslab (a package's
# files are library files to it). The root is lib/index.ts; each subpath is a nested package at lib/<name>/index.ts.
LIBRARY_PACKAGE_JSON='{"name":"egfr-gtv","private":true,"main":"../../lib/index.ts","types":"../../lib/index.ts"}'
LIBRARY_SUBPATHS=()
for index in "$root"/lib/*/index.ts; do
  name=$(basename "$(dirname "$index")")
  LIBRARY_SUBPATHS+=("$name")
done

subpath_package_json() {
  printf '{"name":"egfr-gtv-%s","private":true,"main":"../../../lib/%s/index.ts","types":"../../../lib/%s/index.ts"}' "$1" "$1" "$1"
}

library_linked() {
  [ -f "$LIBRARY_LINK/package.json" ] && [ "$(cat "$LIBRARY_LINK/package.json")" = "$LIBRARY_PACKAGE_JSON" ] || return 1
  local name
  for name in "${LIBRARY_SUBPATHS[@]}"; do
    [ -f "$LIBRARY_LINK/$name/package.json" ] && [ "$(cat "$LIBRARY_LINK/$name/package.json")" = "$(subpath_package_json "$name")" ] || return 1
  done
}

link_library() {
  rm -rf "$LIBRARY_LINK"
  mkdir -p "$LIBRARY_LINK"
  printf '%s' "$LIBRARY_PACKAGE_JSON" >"$LIBRARY_LINK/package.json"
  local name
  for name in "${LIBRARY_SUBPATHS[@]}"; do
    mkdir -p "$LIBRARY_LINK/$name"
    subpath_package_json "$name" >"$LIBRARY_LINK/$name/package.json"
  done
}

# Registered means the generated kernel.json starts this checkout's launcher (a moved checkout needs a new one).
kernel_registered() {
  [ -f "$KERNEL_JSON" ] && grep -qF "\"$KERNEL_LAUNCHER\"" "$KERNEL_JSON"
}
