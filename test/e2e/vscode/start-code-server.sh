#!/bin/sh
# Starts a throw-away code-server (real VS Code 1.100.3) with the Ridgepoint .vsix installed.
# usage: start-code-server.sh PORT [WORKSPACE]
#   PORT       the port to listen on (127.0.0.1 only, no auth)
#   WORKSPACE  the folder to open (default: an empty $RUN/workspace)
# env: RUN_DIR (default: a fresh mktemp dir) holds home/, user-data/ (logs under user-data/logs/), extensions/
#      and config.yaml; VSIX (default: dist/ridgepoint.vsix); CODE_SERVER (entry.js) and CODE_SERVER_NODE override
#      the code-server that install-code-server.sh installed and the node that runs it.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PORT=${1:?usage: start-code-server.sh PORT [WORKSPACE]}
CS=${CODE_SERVER:-$HERE/code-server/node_modules/code-server/out/node/entry.js}
NODE=${CODE_SERVER_NODE:-node}
VSIX=${VSIX:-$ROOT/dist/ridgepoint.vsix}
[ -f "$CS" ] || { echo "start-code-server: no code-server at $CS: run $HERE/install-code-server.sh" >&2; exit 1; }
[ -f "$VSIX" ] || { echo "start-code-server: no extension package at $VSIX: run npm run package" >&2; exit 1; }
if [ -n "${RUN_DIR:-}" ]; then RUN=$RUN_DIR; mkdir -p "$RUN"; else RUN=$(mktemp -d "${TMPDIR:-/tmp}/ridgepoint-cs-run-XXXXXX"); fi
WORKSPACE=${2:-$RUN/workspace}
mkdir -p "$RUN/home" "$RUN/user-data/User" "$RUN/extensions" "$WORKSPACE"
cp "$HERE/settings.json" "$RUN/user-data/User/settings.json"
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$RUN/config.yaml"
# keep code-server (config.yaml with a random password, logs) out of the real $HOME
export HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/.config" XDG_DATA_HOME="$RUN/home/.local/share" XDG_CACHE_HOME="$RUN/home/.cache"
set -- --config "$RUN/config.yaml" --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions"
"$NODE" "$CS" "$@" --install-extension "$VSIX" >&2
echo "code-server run dir: $RUN" >&2
exec "$NODE" "$CS" "$@" \
  --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --disable-proxy --ignore-last-opened \
  "$WORKSPACE"
