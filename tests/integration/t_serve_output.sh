# `leura serve`'s raw step output: a finished step's whole output (beyond the 16 KiB preview)
# as `leura logs --full` has it, byte ranges of it (206 with Content-Range, 416 beyond the end,
# a range it cannot read ignored), and ?follow=1 on a live step: its lines as they are written,
# from a given byte on too, the stream ending when the step has ended.
. "$(dirname "$0")/lib.sh"
fleet_up_watched "$F" 1
fleet_settings
printf '[[steps]]\nname = "big"\ncommand = "seq 1 20000; echo warned >&2"\n' > "$lib/big.toml"
printf '[[steps]]\nname = "tick"\ncommand = "for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.5; done"\n' \
  > "$lib/ticker.toml"
S=$T/api.sock
"$LEURA_BIN" serve --socket "$S" --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
h=127.0.1.1
get() { # PATH [curl args]: body to $T/body, headers to $T/headers, status to $code
  local path=$1
  shift
  code=$(curl -sS --max-time 60 --unix-socket "$S" -o "$T/body" -D "$T/headers" \
    -w '%{http_code} %{time_starttransfer} %{time_total}' "$@" "http://leura$path")
  read -r code first_byte total <<< "$code"
}
header() { sed -n "s/^$1: //Ip" "$T/headers" | tr -d '\r'; }

api POST /v1/runs -H 'Content-Type: application/json' -d '{"task":"big"}'; expect_code 202
big=$(field '["run"]')
timeout 60 curl -sS -N --unix-socket "$S" "http://leura/v1/runs/$big/events" > /dev/null
out=/v1/runs/$big/hosts/$h/steps/1/output
seq 1 20000 > "$T/want"
size=$(stat -c %s "$T/want")

# The whole output, beyond the preview, as logs --full has it.
get "$out"; expect_code 200
cmp -s "$T/body" "$T/want" || fail "the whole output: $(wc -c < "$T/body") bytes"
[ "$(header accept-ranges)" = bytes ] || fail "no Accept-Ranges"
"$LEURA_BIN" logs "$big" --full --host "$h" --stdout > "$T/logs"
cmp -s "$T/body" "$T/logs" || fail "the API and logs --full differ"
get "$out?stream=stderr"; expect_code 200
[ "$(cat "$T/body")" = warned ] || fail "stderr: $(cat "$T/body")"

# Ranges.
get "$out" -H 'Range: bytes=0-9'; expect_code 206
[ "$(header content-range)" = "bytes 0-9/$size" ] || fail "range: $(header content-range)"
[ "$(cat "$T/body")" = "$(head -c 10 "$T/want")" ] || fail "bytes 0-9: $(cat "$T/body")"
get "$out" -H 'Range: bytes=-6'; expect_code 206
[ "$(cat "$T/body")" = 20000 ] || fail "the last 6 bytes: $(cat "$T/body")"
[ "$(header content-range)" = "bytes $((size - 6))-$((size - 1))/$size" ] || fail "$(header content-range)"
get "$out" -H "Range: bytes=100000-"; expect_code 206
cmp -s "$T/body" <(tail -c +100001 "$T/want") || fail "from byte 100000"
get "$out" -H "Range: bytes=$size-"; expect_code 416
[ "$(header content-range)" = "bytes */$size" ] || fail "416: $(header content-range)"
get "$out" -H 'Range: bytes=9-2'; expect_code 200
cmp -s "$T/body" "$T/want" || fail "an unreadable range is ignored: the whole output"
get "$out?follow=1"; expect_code 200
cmp -s "$T/body" "$T/want" || fail "following a finished step gives all of it and ends"

# Following a live step: every line, as written, and the stream ends with the step.
api POST /v1/runs -H 'Content-Type: application/json' -d '{"task":"ticker"}'; expect_code 202
live=$(field '["run"]')
for _ in $(seq 100); do
  get "/v1/runs/$live/hosts/$h/steps/1/output?follow=1" && [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || fail "follow: $code $(cat "$T/body")"
[ "$(cat "$T/body")" = "$(printf 'tick %s\n' 1 2 3 4 5 6)" ] || fail "followed: $(cat "$T/body")"
# It was followed live: the stream stayed open while the ticks came (3 s of them), and the
# step was done when it ended.
awk -v a="$first_byte" -v b="$total" 'BEGIN { exit !(b - a > 1) }' ||
  fail "the stream did not stay open while the step wrote ($first_byte s to $total s)"
api GET "/v1/runs/$live"; expect_code 200
grep -q '"name":"tick","phase":"steps","status":"ok"' "$T/body" || fail "the step had not ended: $(cat "$T/body")"
# From a byte on: a client that lost its connection after "tick 1\n" (7 bytes) resumes there.
get "/v1/runs/$live/hosts/$h/steps/1/output?follow=1" -H 'Range: bytes=7-'; expect_code 200
[ "$(cat "$T/body")" = "$(printf 'tick %s\n' 2 3 4 5 6)" ] || fail "resumed: $(cat "$T/body")"

# Mistakes.
get "$out?follow=2"; expect_code 400
get "/v1/runs/$big/hosts/$h/steps/9/output"; expect_code 404
get "/v1/runs/$big/hosts/nosuch/steps/1/output"; expect_code 404
