#!/usr/bin/env bash
# Installs code-server (a real VS Code, from the npm registry) for the e2e and extension-host tiers,
# outside the project's own dependencies, into a cache folder outside the work tree (so every
# clone and worktree on the machine, and CI's fresh clone, share one install). A second run finds
# it and returns at once; concurrent runs wait for one another. Needs Debian's libkrb5-dev (a
# native module builds against it) and ripgrep.
# Usage: test/e2e/installCodeServer.sh [DIR]
#   DIR default: $MYCLI_CODE_SERVER_DIR, else ${XDG_CACHE_HOME:-~/.cache}/mycli/code-server-4.100.3.
#   Prints the code-server binary's path.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=4.100.3   # ships Code 1.100.3 and runs on Node 20; later versions want Node 22+
DIR=${1:-${MYCLI_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mycli/code-server-$VERSION}}
BIN="$DIR/node_modules/.bin/code-server"
MARK="$DIR/.installed"

if [[ -x "$BIN" && -f "$MARK" ]]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$DIR"
exec 9>"$DIR.lock"
flock 9   # another test tier (or helper) may be installing right now: wait for it, then look again
if [[ -x "$BIN" && -f "$MARK" ]]; then
  echo "$BIN"
  exit 0
fi

command -v rg >/dev/null || { echo "installCodeServer: ripgrep is missing: apt-get install ripgrep" >&2; exit 1; }

# @vscode/ripgrep downloads rg from GitHub in its postinstall unless its cache holds the archive:
# seed the cache with Debian's rg (no internet here).
CACHE="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
ARCHIVE="$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -f "$ARCHIVE" ]]; then
  mkdir -p "$CACHE"
  tmp=$(mktemp -d)
  cp "$(command -v rg)" "$tmp/rg"
  tar -czf "$ARCHIVE.part" -C "$tmp" rg && mv "$ARCHIVE.part" "$ARCHIVE"
  rm -rf "$tmp"
fi

# Its own package.json, so npm installs here and never touches the project's manifest or lockfile.
[[ -f "$DIR/package.json" ]] || echo '{"name":"mycli-code-server-cache","private":true}' > "$DIR/package.json"
# code-server's native modules (node-pty, kerberos, argon2) build in install scripts; npm_config_yes
# lets node-pty's build script run `npx node-gyp` without a prompt.
(cd "$DIR" && npm_config_yes=true npm install --no-audit --no-fund --no-save \
  --dangerously-allow-all-scripts "code-server@$VERSION" >&2)
[[ -x "$BIN" ]] || { echo "installCodeServer: $BIN missing after install" >&2; exit 1; }
touch "$MARK"
echo "$BIN"
