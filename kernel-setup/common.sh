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

# tslab resolves a cell's `import ... from 'egfr-gtv'` as Node does, through node_modules, both for its type check
# (its own TypeScript 5.0.4, Node10 resolution, which reads "types") and at run time (through "main", loaded by tsx's
# hook). A generated package whose fields point back at lib/index.ts keeps the library live source: no build step, no
# stale copy, and its files are not type-checked again by tslab (a package's files are library files to it).
LIBRARY_PACKAGE_JSON='{"name":"egfr-gtv","private":true,"main":"../../lib/index.ts","types":"../../lib/index.ts"}'

library_linked() {
  [ -f "$LIBRARY_LINK/package.json" ] && [ "$(cat "$LIBRARY_LINK/package.json")" = "$LIBRARY_PACKAGE_JSON" ]
}

link_library() {
  rm -rf "$LIBRARY_LINK"
  mkdir -p "$LIBRARY_LINK"
  printf '%s' "$LIBRARY_PACKAGE_JSON" >"$LIBRARY_LINK/package.json"
}

# Registered means the generated kernel.json starts this checkout's launcher (a moved checkout needs a new one).
kernel_registered() {
  [ -f "$KERNEL_JSON" ] && grep -qF "\"$KERNEL_LAUNCHER\"" "$KERNEL_JSON"
}
