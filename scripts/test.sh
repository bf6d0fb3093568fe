#!/usr/bin/env bash
# Sets up (installing missing Debian packages and tauri-driver) and runs every
# test: unit, integration (sandbox over loopback), mock-runtime IPC, the real
# keyring and the real-window end-to-end tests under Xvfb.
# It also builds the release .deb, installs it (dpkg, via apt for its
# dependencies) and runs a real-window smoke test against the installed
# /usr/bin/zeitrechnung. `--no-package` skips that for a quick local run.
# The property, fuzz and crash suites run a fifth of their cases
# (ZEITRECHNUNG_TEST_DEPTH=quick, tests/support/mod.rs `cases`); `--full` runs
# every case (10,000 per parser, 50 kills per job).
set -euo pipefail
cd "$(dirname "$0")/.."
package=1
depth=quick
for arg in "$@"; do
  case "$arg" in
    --no-package) package=0 ;;
    --full) depth=full ;;
    *) echo "usage: scripts/test.sh [--no-package] [--full]" >&2; exit 2 ;;
  esac
done
export ZEITRECHNUNG_TEST_DEPTH=$depth
scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

started=$(date +%s)
cargo fmt --all --check || { echo "cargo fmt --check failed: run 'cargo fmt --all'" >&2; exit 1; }
# The toolchain is pinned (rust-toolchain.toml): a new Rust release cannot turn this red.
cargo clippy --locked --workspace --all-targets -- -D warnings

# A private home for the keyring and WebKit so tests never touch the user's own.
tmp=$(mktemp -d /tmp/zeitrechnung-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
chmod 700 "$tmp/run"
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
export ZEITRECHNUNG_TEST_KEYRING=1
export NO_AT_BRIDGE=1

rm -rf target/test-reports
if [ "$package" = 1 ]; then
  scripts/package.sh
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  deb=$(ls -t target/release/bundle/deb/*.deb | head -1)
  # dpkg installs it; should a dependency be missing, apt pulls it in and finishes.
  if ! $SUDO dpkg -i "$deb"; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq
  fi
  # apt -f could also have settled it by removing the package: insist on it being there.
  dpkg-query -W -f='${Status}\n' zeitrechnung | grep -qx "install ok installed" \
    || { echo "the .deb did not install" >&2; exit 1; }
  dpkg-query -W -f='zeitrechnung ${Version} installed\n' zeitrechnung
  export ZEITRECHNUNG_E2E_APP=/usr/bin/zeitrechnung
fi
# Build first so the first test does not time out waiting for the compiler.
cargo build --locked --workspace --all-targets

keyctl session - dbus-run-session -- sh -c '
  set -e
  printf "test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # The suites wait on lexoffice'"'"'s pacing far more than on the CPU: four at a time.
  exec xvfb-run -a -s "-screen 0 1280x800x24" cargo test --locked --workspace --no-fail-fast -- --test-threads=4
'
echo
echo "Suite counts (and any skipped test with its reason):"
cat target/test-reports/*.txt 2>/dev/null || true
echo "scripts/test.sh: all tests passed in $(( $(date +%s) - started )) s"
