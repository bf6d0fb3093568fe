#!/usr/bin/env bash
# Sets up (installing missing Debian packages) and starts Zeitrechnung from source.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --locked -- "$@"
