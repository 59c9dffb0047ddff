#!/bin/sh
# Offline install of code-server 4.100.3 (real VS Code 1.100.3, server + web build) into
# test/e2e/vscode/code-server/node_modules for the e2e suite (test/e2e/vscode.test.ts runs it on first use).
# Idempotent: does nothing when the installed tree was made from the current lockfile with the current Node.
# Needs the Debian packages ripgrep (rg is seeded into @vscode/ripgrep's download cache) and libkrb5-dev
# (the native module kerberos builds from source). See docs/e2e.md and ../../../../shared/design/E2E.md.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DIR="$HERE/code-server"
STAMP="$DIR/node_modules/.ridgepoint-install-stamp"
RG_VERSION=1.15.11   # the @vscode/ripgrep that code-server 4.100.3's postinstall installs (lib/vscode): the cache is named after it
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

want() {
  # the lockfile and the Node version decide the tree (native modules are built for this Node's ABI)
  printf '%s node %s\n' "$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)" "$(node --version)"
}

if [ -f "$DIR/package-lock.json" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(want)" ] \
  && [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]; then
  echo "code-server already installed ($(node -p "require('$DIR/node_modules/code-server/package.json').version"))"
  exit 0
fi

command -v rg >/dev/null || { echo "install-code-server: rg is missing: apt-get install -y ripgrep" >&2; exit 1; }
[ -f /usr/include/gssapi/gssapi.h ] || { echo "install-code-server: Kerberos headers are missing: apt-get install -y libkrb5-dev" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ridgepoint-cs-install-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# (a) @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds the asset in
#     $TMPDIR/vscode-ripgrep-cache-<version>/: seed that cache with Debian's rg.
mkdir -p "$TMP/vscode-ripgrep-cache-$RG_VERSION" "$TMP/rg-stage"
cp "$(command -v rg)" "$TMP/rg-stage/rg"
tar czf "$TMP/vscode-ripgrep-cache-$RG_VERSION/$RG_ASSET" -C "$TMP/rg-stage" rg
export TMPDIR="$TMP"
# (b) code-server's postinstall refuses to run as root without --unsafe-perm; npm 11 passes the env variable
#     on to the script (and prints "Unknown env config"; harmless).
export npm_config_unsafe_perm=true
# (c) node-pty's postinstall runs `npx node-gyp`; with yes=false in ~/.npmrc npx would cancel.
export npm_config_yes=true
# (d) node-gyp builds against the local Node headers instead of downloading them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

cd "$DIR"
rm -f "$STAMP"
# The prebuilt downloads of argon2 and kerberos fail offline (ENOTFOUND github.com); both build from source.
if [ -f package-lock.json ]; then
  npm ci --foreground-scripts --no-audit --no-fund
else
  npm install --foreground-scripts --no-audit --no-fund
fi
# (HOME points into the temp dir: code-server writes a default config.yaml and logs into $HOME on every start)
HOME="$TMP" XDG_CONFIG_HOME="$TMP/.config" XDG_DATA_HOME="$TMP/.local/share" node node_modules/code-server/out/node/entry.js --version
want > "$STAMP"
