# `leura serve --listen` with TLS: a certificate and key (made here by the openssl command) on
# loopback; tokens, the dashboard's session cookie (Secure over TLS) and a live event stream
# over it; plain HTTP and TLS 1.1 get no answer; the command line's mistakes (half a
# certificate, TLS without --listen, a non-loopback address in clear text, a key that is not
# the certificate's, a file that is no certificate) are refused before anything listens.
. "$(dirname "$0")/lib.sh"
command -v openssl > /dev/null || fail "the openssl command is needed (tools/deps.sh installs it)"
S=$T/api.sock
cd "$T"

cert() { # NAME: NAME.pem and NAME.key, a self-signed certificate for 127.0.0.1 and localhost
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=leura test" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$T/$1.key" -out "$T/$1.pem" 2> /dev/null || fail "openssl req"
}
cert server
cert other

# Refused before anything listens, each with what to do.
leura serve --socket "$S" --listen 0.0.0.0:0 --no-tick
expect_rc 2
expect_err "an address other than loopback needs TLS \(--tls-cert and --tls-key\), or --insecure-listen"
leura serve --socket "$S" --listen 127.0.0.1:0 --tls-cert server.pem --no-tick
expect_rc 2
expect_err "^leura: error: --tls-cert and --tls-key go together$"
leura serve --socket "$S" --tls-cert server.pem --tls-key server.key --no-tick
expect_rc 2
expect_err "^leura: error: --tls-cert is for the --listen address"
leura serve --socket "$S" --insecure-listen --no-tick
expect_rc 2
expect_err "^leura: error: --insecure-listen is for a --listen address"
leura serve --socket "$S" --listen 127.0.0.1:0 --tls-cert server.pem --tls-key other.key --no-tick
expect_rc 2
expect_err "^leura: error: --tls-key other.key: not a PEM private key for that certificate"
leura serve --socket "$S" --listen 127.0.0.1:0 --tls-cert server.key --tls-key server.key --no-tick
expect_rc 2
expect_err "^leura: error: --tls-cert server.key: not a PEM certificate chain"
[ ! -e "$S" ] || fail "a refused serve left its socket"

"$LEURA_BIN" serve --socket "$S" --listen 127.0.0.1:0 --tls-cert server.pem --tls-key server.key \
  --no-tick > "$T/serve.out" 2> "$T/serve.err" &
SERVER=$!
at_exit "kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null"
for _ in $(seq 100); do grep -q "listening on" "$T/serve.out" && break; sleep 0.1; done
URL=$(sed -n 's/.* \(https:\/\/127.0.0.1:[0-9]*\).*/\1/p' "$T/serve.out")
[ -n "$URL" ] || fail "no https address: $(cat "$T/serve.out" "$T/serve.err")"

# The certificate is the one given: curl trusts it alone and checks the address against it.
api GET /healthz --cacert server.pem; expect_code 200
api GET /healthz --cacert other.pem 2> "$T/curl.err" || true
[ "$code" = 000 ] || fail "a client trusting another certificate got HTTP $code"
# Plain HTTP to the TLS port gets no HTTP answer; neither does TLS 1.1.
plain=${URL/https:/http:}
curl -sS -o /dev/null "$plain/healthz" 2> "$T/curl.err" && fail "plain HTTP was answered"
curl -sS -o /dev/null --cacert server.pem --tlsv1.1 --tls-max 1.1 "$URL/healthz" 2> "$T/curl.err" &&
  fail "TLS 1.1 was answered"
# The server is still there for the next client.
api GET /healthz --cacert server.pem; expect_code 200

# Tokens over TLS, as over plain loopback.
api GET /v1/runs --cacert server.pem; expect_code 401
secret=$("$LEURA_BIN" token create --name tls --expires 1h 2> /dev/null)
api GET /v1/runs --cacert server.pem -H "Authorization: Bearer $secret"; expect_code 200
# The dashboard's session cookie is Secure over TLS: a browser never sends it in clear text.
api POST /v1/session --cacert server.pem -H 'Content-Type: application/json' \
  -d "{\"token\":\"$secret\"}"
expect_code 200
grep -i '^set-cookie: leura_session=' "$T/headers" | grep -q '; Secure' ||
  fail "the session cookie over TLS is not Secure: $(grep -i set-cookie "$T/headers")"
# A stream over TLS: the event stream's head and a keepalive arrive, then the client leaves.
curl -sS -N --max-time 3 --cacert server.pem -H "Authorization: Bearer $secret" \
  -D "$T/sse.headers" -o "$T/sse.body" "$URL/v1/events" 2> /dev/null || true
grep -qi '^content-type: text/event-stream' "$T/sse.headers" ||
  fail "no event stream over TLS: $(cat "$T/sse.headers")"
api GET /healthz --cacert server.pem; expect_code 200

# SIGTERM: the server ends cleanly with TLS connections about.
kill -TERM "$SERVER"
wait "$SERVER" || fail "serve ended with $?: $(cat "$T/serve.err")"
