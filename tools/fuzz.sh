#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# libFuzzer targets for the parsers (tests/fuzz/), built with clang 14 + ASan + UBSan into
# build-fuzz/, each run from its seed corpus (tests/fuzz/corpus/<target>/).
#   tools/fuzz.sh [SECONDS=10] [TARGET...]   # CI runs the smoke; `tools/fuzz.sh 3600` runs long
# New inputs found go to build-fuzz/corpus/<target>/, crashes to build-fuzz/crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-10}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(task inventory selector values names json runner_framing calendar http_request)
if ! command -v clang++-14 >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  echo "fuzz: installing clang-14 libclang-rt-14-dev" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    clang-14 libclang-rt-14-dev >/dev/null
fi
OUT=build-fuzz
mkdir -p "$OUT/obj"
# -fno-sanitize=unreachable: toml++ 3.3 (Debian 12) reaches its own TOML_UNREACHABLE in
# is_non_ascii_horizontal_whitespace() for characters U+00A1..U+0499 (found by fuzz_task); the
# GCC build answers "not whitespace" there, which is right. Nothing of leura's uses it.
FLAGS=(-std=c++2b -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=unreachable
       -fno-sanitize-recover=all -Itests/fuzz/compat -Isrc -DNDEBUG)
SOURCES=(src/config/*.cpp src/inventory/*.cpp src/util/*.cpp src/archive/names.cpp
         src/exec/runner_protocol.cpp src/schedule/*.cpp src/http/*.cpp)
# Objects are rebuilt when their source or any header is newer: a header change read by some
# objects and not others mixes struct layouts (a false stack-buffer-overflow, seen once).
newest_header=$(ls -t src/*/*.hpp tests/fuzz/compat/expected | head -1)
objs=()
for src in "${SOURCES[@]}"; do
  obj="$OUT/obj/$(echo "$src" | tr / _).o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
    clang++-14 "${FLAGS[@]}" -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done
failed=0
for t in "${TARGETS[@]}"; do
  clang++-14 "${FLAGS[@]}" -fsanitize=fuzzer "tests/fuzz/fuzz_$t.cpp" "${objs[@]}" -lssl -lcrypto \
    -o "$OUT/fuzz_$t"
  mkdir -p "$OUT/corpus/$t"
  echo "fuzz: $t for ${SECONDS_EACH}s" >&2
  if ! "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=60 \
      -artifact_prefix="$OUT/crash-$t-" "$OUT/corpus/$t" "tests/fuzz/corpus/$t" \
      > "$OUT/fuzz_$t.log" 2>&1; then
    tail -40 "$OUT/fuzz_$t.log" >&2
    failed=1
  else
    grep -E "^#[0-9]+ *DONE" "$OUT/fuzz_$t.log" >&2 || tail -2 "$OUT/fuzz_$t.log" >&2
  fi
done
exit "$failed"
