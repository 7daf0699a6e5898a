#!/usr/bin/env bash
# run_e2e.sh MODE VEIL MODEL WORK_DIR SRC_DIR
#   MODE openai_client:          chat (whole + streamed) and a greedy completion through the openai
#                                npm client; the completion must equal `veil generate`'s output.
#   MODE sigterm_during_stream:  SIGTERM while a stream runs: the stream ends cleanly, exit code 0.
set -u
MODE=$1 VEIL=$2 MODEL=$3 WORK=$4 SRC=$5
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$WORK/$MODE.log" ] && { echo "--- server log"; tail -40 "$WORK/$MODE.log"; }; exit 1; }

command -v node >/dev/null || skip "node is not installed"
command -v npm >/dev/null || skip "npm is not installed"
[ -f "$MODEL" ] || skip "model $MODEL not found"
mkdir -p "$WORK/node"
if [ ! -d "$WORK/node/node_modules/openai" ]; then
  (cd "$WORK/node" && [ -f package.json ] || echo '{"private":true}' > package.json
   npm install --no-audit --no-fund openai >"$WORK/npm.log" 2>&1) || { cat "$WORK/npm.log"; fail "npm install openai failed"; }
fi
cp "$SRC/client.mjs" "$WORK/node/client.mjs"

PLUGINS="$(dirname "$VEIL")/plugins"
CONF="$WORK/$MODE.yaml"
cat >"$CONF" <<YAML
plugin_dir: $PLUGINS
plugins:
  - name: backend_full
    path: libveil-backend-full.so
tee: none
models:
  - id: stories260K
    path: $MODEL
server:
  listen: tcp://127.0.0.1:0
  parallel: 2
  queue: 4
  drain_seconds: 20
YAML

OUT="$WORK/$MODE.out"
"$VEIL" serve --config "$CONF" >"$OUT" 2>"$WORK/$MODE.log" &
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
echo "server at $URL (pid $PID)"

PROMPT="Once upon a time"
N=24
case "$MODE" in
  openai_client)
    EXPECTED=""
    if "$VEIL" generate --help >/dev/null 2>&1; then
      EXPECTED=$("$VEIL" generate --model "$MODEL" --prompt "$PROMPT" -n $N --temp 0 2>/dev/null) ||
        fail "veil generate failed"
      echo "veil generate: [$EXPECTED]"
    else
      echo "veil generate is not available; comparing two greedy HTTP completions instead"
    fi
    (cd "$WORK/node" && EXPECTED="$EXPECTED" node client.mjs openai "$URL" "$PROMPT" $N) || fail "openai client checks failed"
    kill -TERM $PID
    wait $PID; RC=$?
    [ $RC -eq 0 ] || fail "veil serve exited $RC after SIGTERM"
    ;;
  sigterm_during_stream)
    (cd "$WORK/node" && node client.mjs sigterm "$URL" "$PROMPT" $PID) || fail "stream did not end cleanly"
    wait $PID; RC=$?
    [ $RC -eq 0 ] || fail "veil serve exited $RC after SIGTERM"
    grep -q "SIGTERM received" "$WORK/$MODE.log" || fail "no drain logged"
    ;;
  *) fail "unknown mode $MODE" ;;
esac
trap - EXIT
echo "PASS: $MODE"
