#!/usr/bin/env bash
# server_e2e.sh VEIL MODEL WORK_DIR
# veil serve --simulate snp on stories260K: /ready turns 200 only after the TEE self-check; then
# GET /v1/attestation?nonce=... returns a bundle that `veil attest verify --allow-simulated` accepts,
# whose claims carry the model's sha256 and tee.simulated true; a bad nonce answers 400. With two
# configured models, ?model=ID binds the one asked for (default: the first); an unknown id is 404.
set -u
VEIL=$1 MODEL=$2 WORK=$3
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$WORK/serve.log" ] && { echo "--- server log"; tail -40 "$WORK/serve.log"; }; exit 1; }
command -v curl >/dev/null || skip "curl is not installed"
[ -f "$MODEL" ] || skip "model $MODEL not found"
mkdir -p "$WORK"
PLUGINS="$(dirname "$VEIL")/plugins"
SHA=$(sha256sum "$MODEL" | cut -d' ' -f1)
SECOND="$(dirname "$MODEL")/synth-d256-Q8_0.gguf"
[ -f "$SECOND" ] || skip "model $SECOND not found"
SECOND_SHA=$(sha256sum "$SECOND" | cut -d' ' -f1)
CONF="$WORK/serve.yaml"
cat >"$CONF" <<YAML
plugin_dir: $PLUGINS
plugins:
  - name: backend_full
    path: libveil-backend-full.so
  - name: tee_snp
    path: libveil-tee-snp.so
tee: none
models:
  - id: stories260K
    path: $MODEL
    sha256: $SHA
  - id: synth-q8
    path: $SECOND
    sha256: $SECOND_SHA
server:
  listen: tcp://127.0.0.1:0
YAML
OUT="$WORK/serve.out"
"$VEIL" serve --config "$CONF" --simulate snp >"$OUT" 2>"$WORK/serve.log" &
PID=$!
trap 'kill -9 $PID 2>/dev/null' EXIT
URL=""
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$OUT" 2>/dev/null | head -1)
  [ -n "$URL" ] && break
  kill -0 $PID 2>/dev/null || fail "veil serve exited early"
  sleep 0.1
done
[ -n "$URL" ] || fail "veil serve printed no URL"
READY=""
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")" = 200 ] && { READY=1; break; }
  sleep 0.1
done
[ -n "$READY" ] || fail "/ready never turned 200: $(curl -s "$URL/ready")"
grep -q "SIMULATED ATTESTATION" "$OUT" || fail "serve did not announce simulated attestation"

NONCE=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
code=$(curl -s -o "$WORK/bundle.json" -w '%{http_code}' "$URL/v1/attestation?nonce=$NONCE")
[ "$code" = 200 ] || fail "/v1/attestation answered $code: $(cat "$WORK/bundle.json")"
grep -q "$SHA" "$WORK/bundle.json" || fail "claims do not carry the model sha256 $SHA"
grep -q "$SECOND_SHA" "$WORK/bundle.json" && fail "default claims carry the second model's sha256"
"$VEIL" attest verify --evidence "$WORK/bundle.json" --allow-simulated --nonce "$NONCE" >"$WORK/verify.out" 2>&1 ||
  fail "verify failed: $(cat "$WORK/verify.out")"
grep -q '"simulated" *: *true' "$WORK/verify.out" || fail "verified claims do not say simulated"
"$VEIL" attest verify --evidence "$WORK/bundle.json" --nonce "$NONCE" >/dev/null 2>&1 &&
  fail "verify without --allow-simulated passed"
code=$(curl -s -o "$WORK/bad.json" -w '%{http_code}' "$URL/v1/attestation?nonce=abcd")
[ "$code" = 400 ] || fail "short nonce answered $code"
grep -q '"error"' "$WORK/bad.json" || fail "400 body is not an error object: $(cat "$WORK/bad.json")"
code=$(curl -s -o "$WORK/second.json" -w '%{http_code}' "$URL/v1/attestation?nonce=$NONCE&model=synth-q8")
[ "$code" = 200 ] || fail "/v1/attestation?model=synth-q8 answered $code: $(cat "$WORK/second.json")"
"$VEIL" attest verify --evidence "$WORK/second.json" --allow-simulated --nonce "$NONCE" >"$WORK/verify2.out" 2>&1 ||
  fail "verify of the second model's bundle failed: $(cat "$WORK/verify2.out")"
grep -q "$SECOND_SHA" "$WORK/verify2.out" || fail "claims for ?model=synth-q8 do not carry its sha256"
grep -q '"synth-q8"' "$WORK/verify2.out" || fail "claims for ?model=synth-q8 do not name it"
grep -q "$SHA" "$WORK/verify2.out" && fail "claims for ?model=synth-q8 carry the first model's sha256"
code=$(curl -s -o "$WORK/nomodel.json" -w '%{http_code}' "$URL/v1/attestation?nonce=$NONCE&model=nope")
[ "$code" = 404 ] || fail "unknown model answered $code"
grep -q '"model_not_found"' "$WORK/nomodel.json" || fail "404 body: $(cat "$WORK/nomodel.json")"
echo "PASS"
