#!/bin/sh
# Install the browser libraries pinned in package-lock.json (npm ci, scripts off)
# and copy their built files into ../static/vendor (git-ignored). Run by `make`;
# the pages never fetch anything from the internet at run time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../static/vendor"
cd "$here"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p "$out"
cp node_modules/cytoscape/dist/cytoscape.esm.min.mjs "$out/cytoscape.esm.min.js"
cp node_modules/cytoscape/LICENSE "$out/cytoscape.LICENSE.txt"
cp node_modules/chart.js/dist/chart.umd.min.js "$out/chart.umd.min.js"
cp node_modules/chart.js/LICENSE.md "$out/chart.js.LICENSE.md"
echo "web: browser libraries copied to $out"
