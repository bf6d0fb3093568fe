#!/usr/bin/env bash
# Builds the Linux bundles with the Tauri CLI from the npm registry (a prebuilt
# binary: no 7-minute cargo install). Default: the .deb. `--all` also tries the
# AppImage, which needs linuxdeploy from GitHub (not reachable on every machine).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ ! -x tools/node_modules/.bin/tauri ]; then
  npm install --no-audit --no-fund --silent --prefix tools @tauri-apps/cli@2.12.5
fi
bundles=deb
[ "${1:-}" = "--all" ] && bundles=deb,appimage
tools/node_modules/.bin/tauri build --ci --bundles "$bundles"
ls -la target/release/bundle/deb/*.deb
