#!/usr/bin/env bash
# The image's build steps, as the Dockerfile runs them and .ci/run repeats them without a Docker engine.
#   scripts/image-build.sh install        npm ci from the lockfile (its own layer: cached while the lockfile is)
#   scripts/image-build.sh payload DEST   build with the Node on PATH (which so owns the code caches: Node 24
#                                         in the image) and lay out what the runtime stage copies under DEST:
#                                         DEST/opt/mtls-doctor/... and DEST/usr/local/bin/{mtls-doctor,kubectl-mtls_doctor}
# Checks the payload stays within its budget (8 MB besides Node) and that it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=$((8 * 1000 * 1000))
case "${1:-}" in
  install)
    npm ci --no-audit --no-fund
    ;;
  payload)
    dest=${2:?usage: scripts/image-build.sh payload DEST}
    npm run --silent build
    app="$dest/opt/mtls-doctor"
    rm -rf "$app" && mkdir -p "$app/dist" "$dest/usr/local/bin"
    cp -r dist/cli.cjs dist/kubectl-mtls_doctor.cjs dist/kubectl_complete-mtls_doctor.cjs dist/help.json dist/chunks dist/chunks.json "$app/dist/"
    cp package.json "$app/"
    # Relative links: right inside the image and in a payload laid out anywhere else (.ci/run).
    ln -sfn ../../../opt/mtls-doctor/dist/cli.cjs "$dest/usr/local/bin/mtls-doctor"
    ln -sfn ../../../opt/mtls-doctor/dist/kubectl-mtls_doctor.cjs "$dest/usr/local/bin/kubectl-mtls_doctor"
    bytes=$(du -sb "$app" | cut -f1)
    echo "image payload: $app: $bytes bytes ($(node -p "($bytes/1e6).toFixed(1)") MB; budget 8 MB besides Node and Debian's openssl)"
    ((bytes <= budget)) || { echo "image payload over budget: $bytes > $budget bytes" >&2; exit 1; }
    "$dest/usr/local/bin/mtls-doctor" --version >/dev/null
    ;;
  *)
    echo "usage: scripts/image-build.sh install | payload DEST" >&2
    exit 2
    ;;
esac
