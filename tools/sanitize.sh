#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole suite against a sanitizer build of leura and the unit tests (CI runs both):
#   tools/sanitize.sh address [CTEST ARGS...]   ASan + UBSan, in build-asan/
#   tools/sanitize.sh thread  [CTEST ARGS...]   TSan (jump hosts run on threads), in build-tsan/
# Low optimization with line tables: these builds exist to be checked, and -O0 halves a cold
# ASan build (about 3 minutes on 2 cores). A sanitizer report exits 99, so it can never pass for
# an expected exit status. The static-binary test does not apply to these dynamic builds.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-address}
shift || true
case $mode in
  address) dir=build-asan opt=-O0 cmake_flag=-DLEURA_SANITIZE=ON ;;
  thread) dir=build-tsan opt=-O1 cmake_flag=-DLEURA_TSAN=ON ;;
  *) echo "usage: tools/sanitize.sh address|thread [ctest args...]" >&2; exit 2 ;;
esac
tools/deps.sh
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="$opt -g1" \
  -DCMAKE_C_FLAGS="$opt -g1" -DLEURA_STATIC=OFF "$cmake_flag" -DLEURA_WERROR=ON >/dev/null
echo "leura: building $dir ($mode sanitizer; log: $dir/ninja.log)" >&2
if ! ninja -C "$dir" > "$dir/ninja.log" 2>&1; then
  tail -60 "$dir/ninja.log" >&2
  exit 1
fi
cd "$dir"
export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1
export TSAN_OPTIONS=exitcode=99:halt_on_error=1:second_deadlock_stack=1
ctest -j2 --output-on-failure -E static_binary -LE 'oracle|system|browser|load' "$@"
