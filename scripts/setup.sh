#!/usr/bin/env bash
# Installs what building, running and testing Zeitrechnung needs on Debian/Ubuntu.
# Idempotent: checks with dpkg-query first and installs only what is missing.
# Usage: scripts/setup.sh [--test]   (--test also installs the e2e tooling)
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

pkgs=(build-essential pkg-config curl wget file libssl-dev libwebkit2gtk-4.1-dev
      libxdo-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev dbus)
if [ "$want_test" = 1 ]; then
  pkgs+=(xvfb xauth webkit2gtk-driver gnome-keyring keyutils imagemagick x11-utils fonts-noto-color-emoji poppler-utils
         postgresql postgresql-client openssl)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Fehlende Pakete: ${missing[*]} — dieses Skript kennt nur apt (Debian/Ubuntu)." >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The tests start their own throwaway PostgreSQL cluster (tests/support/pg.rs):
  # the package must not create and start a system-wide one.
  if printf '%s\n' "${missing[@]}" | grep -qx postgresql; then
    $SUDO mkdir -p /etc/postgresql-common
    if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
      echo "create_main_cluster = false" | $SUDO tee -a /etc/postgresql-common/createcluster.conf >/dev/null
    fi
  fi
  $SUDO apt-get update -qq
  # --force-confold: the createcluster.conf written above is kept as it is
  # (dpkg would otherwise ask whether to replace it).
  $SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"
fi

# The .deb is built with the Tauri CLI from the npm registry (scripts/package.sh).
if [ "$want_test" = 1 ] && ! command -v npm >/dev/null; then
  echo "setup: installing nodejs and npm"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs
  # Debian ships npm apart; NodeSource's nodejs already brings it.
  command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends npm
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust fehlt. Installiere es mit rustup (https://rustup.rs) und starte erneut." >&2
  exit 1
fi

if [ "$want_test" = 1 ] && ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked
fi
