#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds the static release binary and the tests into build/ (Ninja, ccache).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEURA_WERROR=ON "$@" >/dev/null
ninja -C build
