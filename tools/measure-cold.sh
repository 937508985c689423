#!/usr/bin/env bash
# Cold set-up measurement: a fresh clone, an empty CARGO_HOME (registry, installed tools), an empty target
# dir, no wasm32 target, no Chromium, no node_modules. The machine's rustup toolchain, Node and
# cargo-nextest (/usr/local/bin, part of the machine image) stay, as on a fresh machine of this kind.
# usage: tools/measure-cold.sh run|test   (COLD_DIR: where to put the scratch dirs). Removing the wasm32 target
# (`rustup target remove wasm32-unknown-unknown`) and Chromium first is up to you: they are machine-wide.
set -uo pipefail
what=$1
base="${COLD_DIR:-/tmp/strongroom-cold}/$what"
rm -rf "$base" && mkdir -p "$base/proxies"
for tool in cargo rustc rustup rustdoc cargo-clippy clippy-driver rustfmt cargo-fmt; do ln -s "${RUSTUP_BIN:-$HOME/.cargo/bin/rustup}" "$base/proxies/$tool"; done
git clone -q "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)" "$base/clone"
cp -r "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)/../shared" "$base/shared" 2>/dev/null || true   # the advisory db beside the clone, as in CI
export CARGO_HOME="$base/cargo" CARGO_TARGET_DIR="$base/target" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$base/cargo/bin:$base/proxies:/usr/local/bin:/usr/bin:/bin"
unset STRONGROOM_TEST_POSTGRES STRONGROOM_TEST_REDIS
cd "$base/clone"
start=$(date +%s)
if [ "$what" = run ]; then
  # Served means: /healthz answers and the sign-in page comes with its WebAssembly.
  STRONGROOM_DATA_DIR="$base/data" cargo xtask run > "$base/log" 2>&1 &
  pid=$!
  until curl -sf http://127.0.0.1:3000/healthz >/dev/null && curl -sf http://127.0.0.1:3000/signin | grep -q '\.wasm'; do
    sleep 2; kill -0 $pid 2>/dev/null || { echo "run exited early"; break; }
  done
  echo "cold run: serving after $(( $(date +%s) - start )) s"
  pkill -f "$base/target/debug/strongroom"; wait $pid
else
  export STRONGROOM_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres STRONGROOM_TEST_REDIS=redis://127.0.0.1:6379
  bash .ci/run > "$base/log" 2>&1; rc=$?
  echo "cold test: exit $rc after $(( $(date +%s) - start )) s"
fi
