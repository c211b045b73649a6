#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On-demand benchmark (not in ctest): 4 loopback hosts each print about 1 GiB in one step. leura
# must keep its memory flat (peak RSS against the same run printing nothing) and archive every
# byte: each host's archived stream is checked against the same bytes made here.
#   tests/bench/big_output.sh [LINES=120000000]   (seq 1 LINES: 1.0 GiB at the default)
set -euo pipefail
cd "$(dirname "$0")/../.."
LINES=${1:-120000000}
. tests/bench/lib.sh
bench_fleet big 4
run() { # label command: prints peak RSS in KiB and wall seconds
  printf '[[steps]]\nname = "print"\ncommand = "%s"\n' "$2" > "$B/$1.toml"
  /usr/bin/time -f "%M %e" -o "$B/$1.time" "$LEURA" run -q "$B/$1.toml" \
    -i "$B/fleet/inventory.toml" --known-hosts "$B/fleet/known_hosts" >/dev/null 2>"$B/$1.err" ||
    { cat "$B/$1.err" >&2; exit 1; }
  cat "$B/$1.time"
}
read -r base_kb base_s < <(run small "seq 1 10")
read -r big_kb big_s < <(run big "seq 1 $LINES")
id=$("$LEURA" runs --json --limit 1 | sed -n 's/.*"run":"\([^"]*\)".*/\1/p')
want=$(seq 1 "$LINES" | sha256sum | cut -d' ' -f1)
bytes=$(seq 1 "$LINES" | wc -c)
for i in 1 2 3 4; do
  got=$("$LEURA" logs "$id" --host "127.0.1.$i" --full | sha256sum | cut -d' ' -f1)
  [ "$got" = "$want" ] || { echo "127.0.1.$i: archived output differs" >&2; exit 1; }
done
archive=$(ls "$LEURA_HOME"/archives/*"$id"*.tar.gz)
echo "4 hosts x $bytes bytes: wall ${big_s}s, peak RSS $((big_kb / 1024)) MiB" \
  "(printing nothing: $((base_kb / 1024)) MiB, growth $(((big_kb - base_kb) / 1024)) MiB)," \
  "archive $(( $(stat -c %s "$archive") / 1048576 )) MiB, all 4 streams byte-exact"
