#!/usr/bin/env bash
# Sets up (installing missing Debian packages and tauri-driver) and runs every
# test: unit, integration (sandbox over loopback), mock-runtime IPC, the real
# keyring, the app's suites a second time on PostgreSQL (a throwaway cluster the
# tests start, tests/support/pg.rs) and the real-window end-to-end tests under Xvfb.
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

# A private home for the keyring and WebKit so tests never touch the user's own.
tmp=$(mktemp -d /tmp/zeitrechnung-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/run"
chmod 700 "$tmp/run"
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
export ZEITRECHNUNG_TEST_KEYRING=1
export NO_AT_BRIDGE=1

# clippy with -D warnings on every target of the workspace, in the same build the
# tests use (clippy-driver compiles the workspace's crates; no second pass over
# the dependencies). The toolchain is pinned (rust-toolchain.toml): a new Rust
# release cannot turn this red. Equivalent by hand:
# cargo clippy --workspace --all-targets -- -D warnings
RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)" \
  || { echo "scripts/test.sh: clippy-driver fehlt (rustup component add clippy)" >&2; exit 1; }
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
mkdir -p target
rm -rf target/test-reports
# The release .deb first, installed with dpkg (a window test starts it). The
# two builds one after the other: on 2 cores each keeps both busy, and beside
# each other or beside the tests they only took longer (docs/benchmarks.md ›
# Build and CI).
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
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
# CI builds from scratch once: incremental caches only cost time to write there.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL=0
# Built first so the first test does not time out waiting for the compiler.
cargo build --locked --workspace --all-targets

# The test binaries (docs/conventions.md › Tests): a new one must be added here.
targets=$(cd tests && ls -d *.rs */main.rs 2>/dev/null | sort | tr '\n' ' ')
if [ "$targets" != "app/main.rs e2e/main.rs keyring_mock.rs " ]; then
  echo "scripts/test.sh: unexpected test targets: $targets (add them to scripts/test.sh)" >&2
  exit 1
fi
# Every test binary of one cargo call over the whole workspace (`-p lexoffice-sandbox`
# alone would build ≈ 50 dependencies again with the sandbox's own feature set),
# listed now and run directly below (one build, each binary run from its
# package's folder as cargo runs it).
SANDBOX_TESTS=$(cd lexoffice-sandbox/tests && ls *.rs | sed 's/\.rs$//; s/^/--test /' | tr '\n' ' ')
# shellcheck disable=SC2086
cargo test --locked --workspace --lib $SANDBOX_TESTS --test app --test keyring_mock --test e2e --no-run \
  2>&1 | sed -n 's|^ *Executable \(.*\) (\(.*\))$|\1 \2|p' > "$tmp/test-binaries"
: > "$tmp/unit-and-app-binaries"
while read -r source bin; do
  case "$source" in
    tests/e2e/main.rs) E2E_BIN="$PWD/$bin" ;;
    tests/app/main.rs) app_bin="$PWD/$bin"; echo ". $PWD/$bin" >> "$tmp/unit-and-app-binaries" ;;
    *) if [ -e "lexoffice-sandbox/$source" ]; then dir=lexoffice-sandbox; else dir=.; fi
       echo "$dir $PWD/$bin" >> "$tmp/unit-and-app-binaries" ;;
  esac
done < <(sed 's/^unittests //' "$tmp/test-binaries")
[ -x "${E2E_BIN:-}" ] && [ -x "${app_bin:-}" ] \
  || { echo "scripts/test.sh: test binaries missing: $(cat "$tmp/test-binaries")" >&2; exit 1; }
export E2E_BIN

# Each of these runs in a desktop session of its own (D-Bus, unlocked keyring,
# X display, data dirs): the app's suites, and the real-window tests in two
# halves at once — one app window per session at a time (tests/support/webdriver.rs
# `serial`), two sessions side by side. They wait on WebKit and on lexoffice's
# pacing far more than on the CPU.
in_session() {
  local name=$1 display=$2; shift 2
  local home="$tmp/$name"
  mkdir -p "$home/data" "$home/config" "$home/cache" "$home/run"
  chmod 700 "$home/run"
  XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
    XDG_RUNTIME_DIR="$home/run" keyctl session - dbus-run-session -- sh -c '
      display=$1; shift
      printf "test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      exec xvfb-run -a -n "$display" -s "-screen 0 1280x800x24" "$@"' sh "$display" "$@"
}
window_tests=$("$E2E_BIN" --list 2>/dev/null | sed -n 's/: test$//p')
half_a=$(printf '%s\n' $window_tests | awk 'NR % 2 == 1' | tr '\n' ' ')
half_b=$(printf '%s\n' $window_tests | awk 'NR % 2 == 0' | tr '\n' ' ')
# shellcheck disable=SC2086
in_session e2e-a 90 "$E2E_BIN" --exact $half_a --test-threads=4 > target/e2e-a.log 2>&1 &
e2e_a=$!
# shellcheck disable=SC2086
in_session e2e-b 95 "$E2E_BIN" --exact $half_b --test-threads=4 > target/e2e-b.log 2>&1 &
e2e_b=$!
# The app's suites a second time with the data on PostgreSQL (a throwaway
# cluster the tests start, tests/support/pg.rs), beside the first run: both wait
# on lexoffice's pacing far more than they compute (the app's suites alone: 139 s
# for 71 s of CPU; docs/benchmarks.md › Build and CI). Not again: the suites that
# kill processes or break sled's files, and those that touch no data.
# shellcheck disable=SC2086
ZEITRECHNUNG_TEST_BACKEND=postgres in_session app-pg 110 "$app_bin" --test-threads=4 \
  --skip crash --skip faults --skip fuzz:: --skip billing_property:: --skip architecture:: \
  --skip keyring_real:: --skip postgres:: --skip mehrplatz_einrichten:: --skip mehrplatz:: \
  > target/app-pg.log 2>&1 &
app_pg=$!
rc=0
# shellcheck disable=SC2086
# Each binary from its package's folder, as cargo runs it.
cat > "$tmp/run-binaries.sh" <<'RUN'
rc=0
while read -r dir bin; do
  echo "     Running $bin"
  (cd "$dir" && "$bin" --test-threads=4) || rc=1
done < "$1"
exit $rc
RUN
in_session app 100 sh "$tmp/run-binaries.sh" "$tmp/unit-and-app-binaries" || rc=1
wait $app_pg || { rc=1; echo "the app's suites on PostgreSQL failed:"; }
echo; echo "The app's suites on PostgreSQL:"; cat target/app-pg.log
wait $e2e_a || { rc=1; echo "real-window tests (tests/e2e, first half) failed:"; }
wait $e2e_b || { rc=1; echo "real-window tests (tests/e2e, second half) failed:"; }
echo; echo "Real-window tests (tests/e2e), first half:"; cat target/e2e-a.log
echo; echo "Real-window tests (tests/e2e), second half:"; cat target/e2e-b.log
[ "$rc" = 0 ] || exit 1
echo
echo "Suite counts (and any skipped test with its reason):"
cat target/test-reports/*.txt 2>/dev/null || true
echo "scripts/test.sh: all tests passed in $(( $(date +%s) - started )) s"
