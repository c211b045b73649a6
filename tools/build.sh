#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds the static release binary and the tests into build/ (Ninja, ccache).
# The static link prints glibc's "Using 'getaddrinfo' in statically linked applications"
# warnings; they are expected (CONTRIBUTING.md, "Building"), so the log is shown only on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEURA_WERROR=ON "$@" >/dev/null
echo "leura: building build/leura and the tests (log: build/ninja.log)" >&2
if ! ninja -C build > build/ninja.log 2>&1; then
  grep -v "statically linked applications requires" build/ninja.log | tail -60 >&2
  exit 1
fi
