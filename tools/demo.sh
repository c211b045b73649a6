#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo on a fresh machine: dependencies, the static binary, a throwaway fleet of sshd
# "hosts" on 127.0.1.1..N, then runbooks/examples/hello.toml on it and the records it left.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${DEMO_HOSTS:-8}
tools/deps.sh
tools/build.sh
. tests/fixtures/fleet.sh
demo=$(mktemp -d /tmp/leura-demo.XXXXXX)
trap 'fleet_down "$demo/fleet"' EXIT
fleet_up "$demo/fleet" "$N"
mkdir -p "$demo/inventories"
cp "$demo/fleet/inventory.toml" "$demo/inventories/demo.toml"
export LEURA_HOME=$demo/data
leura=build/leura
show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

set +e
show $leura run runbooks/examples/hello.toml -i "$demo/inventories/demo.toml" \
  --known-hosts "$demo/fleet/known_hosts"
set -e
run=$($leura runs --json --limit 1 | sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
show $leura runs
show $leura show "$run"
show $leura logs "$run" --host 127.0.1.2
cat <<MSG

The fleet is stopped; the records stay in $LEURA_HOME. To look around:
  export LEURA_HOME=$LEURA_HOME
  $leura runs; $leura show $run; $leura logs $run --full
MSG
