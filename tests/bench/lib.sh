# SPDX-License-Identifier: Apache-2.0
# Shared by the on-demand shell benchmarks: the binary, a scratch directory and a loopback fleet
# with the key exchange pinned (tests/fixtures/fleet.sh), all gone on exit.
#   . tests/bench/lib.sh; bench_fleet NAME HOSTS   -> $LEURA, $B, $B/fleet, LEURA_HOME=$B/data
LEURA=$(realpath "${LEURA_BIN:-build/leura}")
. tests/fixtures/fleet.sh

bench_fleet() {
  B=$(mktemp -d "/tmp/leura-bench-$1.XXXXXX")
  trap 'fleet_down "$B/fleet"; rm -rf "$B"' EXIT
  FLEET_LOGLEVEL=ERROR fleet_up "$B/fleet" "$2" "KexAlgorithms curve25519-sha256" >/dev/null
  export LEURA_HOME=$B/data
}
