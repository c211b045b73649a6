#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand (not in CI: a cold ASan build takes about 12 minutes on 2 cores): the whole suite
# against a dynamic ASan+UBSan build in build-asan/. A sanitizer report exits 99, so it can
# never pass for an expected exit status. The static-binary test does not apply to this build.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEURA_STATIC=OFF \
  -DLEURA_SANITIZE=ON -DLEURA_WERROR=ON >/dev/null
ninja -C build-asan
cd build-asan
ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1 \
  ctest -j2 --output-on-failure -E static_binary "$@"
