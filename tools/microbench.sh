#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On demand: the Google Benchmark microbenchmarks (tests/bench/micro_bench.cpp: range expansion,
# folding, selection and wave planning at 100,000 hosts) from an optimized dynamic build in
# build-bench/ (Debian's libbenchmark is shared-only). Extra arguments go to the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEURA_STATIC=OFF >/dev/null
ninja -C build-bench leura_microbench >/dev/null
exec build-bench/tests/leura_microbench "$@"
