#!/usr/bin/env bash
# serve_cli.sh MODE VEIL MODELS_DIR WORK_DIR — real `veil serve` processes driven by the CLI and curl.
#   generate_url:  `veil generate --url` against a server on stories260K prints what local
#                  `veil generate` prints (greedy, and seeded sampling); server errors show status
#                  and message; tok/s on stderr.
#   multi_model:   a config listing stories260K and synth-d256-Q8_0 serves both: /v1/models lists
#                  each with backend, policy and sha256; requests route by model; unknown → 404;
#                  per-model metrics.
#   sealed_keys:   a model sealed by `veil model seal`: `veil plan --model-path` with --key-file and
#                  --key-env decides as for the plain file; `veil serve --key-env` serves it with the
#                  plain model's greedy text, through backend_full and through backend_stream under a
#                  budget that streams part of it; missing or misplaced keys are usage errors.
#   broken_plugins: serve refuses to start, naming the plugin and why, when a configured plugin
#                  rejects its configuration or its file is missing; a TEE plugin that is only
#                  unusable on this machine, or one set enabled: false, does not stop it;
#                  SIGHUP drains and exits 0.
set -u
MODE=$1 VEIL=$2 MODELS=$3 WORK=$4/$1
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; for l in "$WORK"/*.log; do [ -f "$l" ] && { echo "--- $l"; tail -20 "$l"; }; done; exit 1; }
command -v curl >/dev/null || skip "curl is not installed"
STORIES=$MODELS/stories260K.gguf SYNTH=$MODELS/synth-d256-Q8_0.gguf
[ -f "$STORIES" ] && [ -f "$SYNTH" ] || skip "test models not found in $MODELS"
rm -rf "$WORK" && mkdir -p "$WORK"
PLUGINS="$(dirname "$VEIL")/plugins"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 $p 2>/dev/null; done' EXIT

# config NAME MODEL_LINES... → $WORK/NAME.yaml; each MODEL_LINE is "id=path"
config() {
  local f="$WORK/$1.yaml"; shift
  printf 'plugin_dir: %s\nplugins:\n  - name: backend_full\n    path: libveil-backend-full.so\ntee: none\nmodels:\n' "$PLUGINS" >"$f"
  for m in "$@"; do printf '  - id: %s\n    path: %s\n' "${m%%=*}" "${m#*=}" >>"$f"; done
  printf 'server:\n  listen: tcp://127.0.0.1:0\n  parallel: 1\n' >>"$f"
  echo "$f"
}

# serve NAME ARGS... → sets URL to a ready server's address
serve() {
  local name=$1; shift
  "$VEIL" serve "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  local pid=$!
  PIDS+=($pid)
  URL=""
  for _ in $(seq 1 200); do
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$WORK/$name.out" 2>/dev/null | head -1)
    [ -n "$URL" ] && break
    kill -0 $pid 2>/dev/null || fail "veil serve ($name) exited early"
    sleep 0.1
  done
  [ -n "$URL" ] || fail "veil serve ($name) printed no URL"
}

# local_gen MODEL [FLAGS...] (default: greedy)
local_gen() { "$VEIL" generate --model "$1" --prompt "Once upon a time" -n 24 "${@:2}" 2>/dev/null; }
local_greedy() { local_gen "$1" --temp 0; }

case "$MODE" in
  generate_url)
    serve one --config "$(config one stories260K="$STORIES")"
    expected=$(local_greedy "$STORIES") || fail "local veil generate failed"
    [ -n "$expected" ] || fail "local veil generate printed nothing"
    got=$("$VEIL" generate --url "$URL" --prompt "Once upon a time" -n 24 --temp 0 2>"$WORK/greedy.err") ||
      fail "veil generate --url failed: $(cat "$WORK/greedy.err")"
    [ "$got" = "$expected" ] || fail "greedy text differs: local [$expected] server [$got]"
    grep -q 'tok/s' "$WORK/greedy.err" || fail "no tok/s on stderr: $(cat "$WORK/greedy.err")"
    grep -q '24 generated (length)' "$WORK/greedy.err" || fail "stderr does not report 24 tokens: $(cat "$WORK/greedy.err")"
    # Seeded sampling goes through the same sampler with the same settings on both sides.
    sampled_local=$(local_gen "$STORIES" --temp 0.9 --seed 7 --top-k 20) || fail "local sampled generate failed"
    sampled_url=$("$VEIL" generate --url "$URL" --model stories260K --prompt "Once upon a time" -n 24 --temp 0.9 \
      --seed 7 --top-k 20 2>/dev/null) || fail "sampled veil generate --url failed"
    [ "$sampled_url" = "$sampled_local" ] || fail "seeded text differs: local [$sampled_local] server [$sampled_url]"
    "$VEIL" generate --url "$URL" --model nope --prompt x >/dev/null 2>"$WORK/nope.err" && fail "unknown model accepted"
    grep -q "404: The model 'nope' does not exist" "$WORK/nope.err" || fail "404 not shown: $(cat "$WORK/nope.err")"
    "$VEIL" generate --url "$URL" --prompt x --temp 7 >/dev/null 2>"$WORK/temp.err" && fail "temperature 7 accepted"
    grep -q "400: 'temperature' must be between" "$WORK/temp.err" || fail "400 not shown: $(cat "$WORK/temp.err")"
    "$VEIL" generate --url "$URL" --prompt x --threads 2 >/dev/null 2>"$WORK/usage.err"; rc=$?
    [ $rc -eq 2 ] && grep -q -- "--threads applies to a local model" "$WORK/usage.err" || fail "--threads with --url: exit $rc"
    "$VEIL" generate --url "ftp://x" --prompt x >/dev/null 2>&1; [ $? -eq 2 ] || fail "a bad --url is not a usage error"
    ;;

  multi_model)
    serve two --config "$(config two stories260K="$STORIES" synth-q8="$SYNTH")"
    curl -sf "$URL/v1/models" >"$WORK/models.json" || fail "GET /v1/models failed"
    for pair in "stories260K:$STORIES" "synth-q8:$SYNTH"; do
      id=${pair%%:*} sha=$(sha256sum "${pair#*:}" | cut -d' ' -f1)
      grep -q "\"id\":\"$id\",[^}]*\"backend\":\"backend_full\",\"policy\":{\"model\":\"$id\"[^}]*},\"sha256\":\"$sha\"" \
        "$WORK/models.json" || fail "/v1/models lacks $id with its backend, policy and sha256: $(cat "$WORK/models.json")"
    done
    grep -q "serving 'stories260K', 'synth-q8'" "$WORK/two.out" || fail "banner does not name both models"
    a=$("$VEIL" generate --url "$URL" --model stories260K --prompt "Once upon a time" -n 24 --temp 0 2>/dev/null)
    [ "$a" = "$(local_greedy "$STORIES")" ] || fail "stories260K through the two-model server differs from local"
    b=$("$VEIL" generate --url "$URL" --model synth-q8 --prompt "Once upon a time" -n 24 --temp 0 2>"$WORK/synth.err") ||
      fail "synth-q8 request failed: $(cat "$WORK/synth.err")"
    [ -n "$b" ] && [ "$b" != "$a" ] || fail "synth-q8 answered like stories260K: [$b]"
    whole=$(curl -s "$URL/v1/completions" -d '{"model":"synth-q8","prompt":"Once upon a time","max_tokens":24,"temperature":0}')
    echo "$whole" | grep -q '"model":"synth-q8"' || fail "non-streamed synth-q8 answer: $whole"
    code=$(curl -s -o "$WORK/404.json" -w '%{http_code}' "$URL/v1/chat/completions" \
      -d '{"model":"gpt-4","messages":[{"role":"user","content":"hi"}]}')
    [ "$code" = 404 ] || fail "unknown model answered $code"
    grep -q '"code":"model_not_found"' "$WORK/404.json" && grep -q '"type":"invalid_request_error"' "$WORK/404.json" ||
      fail "404 body is not OpenAI's: $(cat "$WORK/404.json")"
    curl -s "$URL/metrics" >"$WORK/metrics.txt"
    grep -q 'veil_generated_tokens_total{model="synth-q8"} [1-9]' "$WORK/metrics.txt" &&
      grep -q 'veil_generated_tokens_total{model="stories260K"} 24' "$WORK/metrics.txt" &&
      grep -q 'veil_backend_stats_ok{model="synth-q8"} 1' "$WORK/metrics.txt" ||
      fail "per-model metrics missing: $(grep model= "$WORK/metrics.txt" | head)"
    # --model-path still serves exactly that one model.
    serve single --config "$WORK/two.yaml" --model-path "$SYNTH"
    n=$(curl -s "$URL/v1/models" | grep -o '"object":"model"' | wc -l)
    [ "$n" = 1 ] || fail "--model-path serves $n models"
    # No EPC known: nothing to share. A 4 MB EPC holds either model alone (1.2 and 3.6 MB of
    # weights, threshold 1) but not both: serve warns, naming both, and still serves.
    grep -q "together ask for" "$WORK/two.log" && fail "overcommit warning without a known EPC"
    tight=$(config tight stories260K="$STORIES" synth-q8="$SYNTH")
    printf 'policy:\n  stream_threshold: 1.0\n  epc_bytes: 4000000\n  reserve_bytes: 0\n' >>"$tight"
    serve tight --config "$tight"
    grep -q "the 2 served models together ask for 4.58 MiB of protected memory, more than the 3.81 MiB EPC (config)" \
      "$WORK/tight.log" || fail "no overcommit warning: $(cat "$WORK/tight.log")"
    grep -q "'synth-q8' on backend_full with weights of 3.46 MiB" "$WORK/tight.log" || fail "warning does not name synth-q8"
    ;;

  broken_plugins)
    base=$(config base stories260K="$STORIES")
    # with_plugins NAME TEE PLUGIN_LINES → $WORK/NAME.yaml: base with `tee: TEE` and more plugins
    with_plugins() {
      awk -v extra="$3" -v tee="$2" '/^tee:/ { print "tee: " tee; next } { print } /path: libveil-backend-full.so/ { printf "%s", extra }' \
        "$base" >"$WORK/$1.yaml"
    }
    # tee_tdx on a machine without TDX is "unusable here": serve warns and starts.
    if [ ! -e /dev/tdx_guest ] && [ ! -d /sys/kernel/config/tsm/report ]; then
      with_plugins unusable auto $'  - name: tee_tdx\n    path: libveil-tee-tdx.so\n'
      serve unusable --config "$WORK/unusable.yaml"
      grep -q "plugin 'tee_tdx' (libveil-tee-tdx.so) is unusable here" "$WORK/unusable.log" || fail "no unusable-here warning"
    fi
    # A configuration the TEE plugin rejects, or a plugin file that is not there: no server.
    expect_refusal() {  # NAME PLUGIN_LINES MESSAGE
      with_plugins "$1" none "$2"
      "$VEIL" serve --config "$WORK/$1.yaml" >"$WORK/$1.out" 2>"$WORK/$1.log" && fail "serve started with $1"
      grep -q "configured plugins cannot be used:" "$WORK/$1.log" && grep -qF "$3" "$WORK/$1.log" ||
        fail "$1: refusal does not say why: $(cat "$WORK/$1.log")"
    }
    expect_refusal bad_config $'  - name: tee_snp\n    path: libveil-tee-snp.so\n    config:\n      mode: [1]\n' \
      "plugin 'tee_snp' (libveil-tee-snp.so) rejects its configuration: config 'mode' must be a string"
    expect_refusal missing $'  - name: tee_snp\n    path: libveil-tee-nothere.so\n' \
      "plugin 'tee_snp' (libveil-tee-nothere.so) cannot be opened: No such file or directory"
    # The same missing plugin, disabled, is not loaded at all.
    with_plugins disabled none $'  - name: tee_snp\n    path: libveil-tee-nothere.so\n    enabled: false\n'
    serve disabled --config "$WORK/disabled.yaml"
    # SIGHUP (a closed terminal) drains and exits 0, as SIGTERM does.
    pid=${PIDS[${#PIDS[@]}-1]}
    kill -HUP "$pid"
    wait "$pid"; rc=$?
    [ $rc -eq 0 ] || fail "veil serve exited $rc after SIGHUP"
    grep -q "SIGHUP received: draining" "$WORK/disabled.log" || fail "no drain logged after SIGHUP"
    ;;

  sealed_keys)
    "$VEIL" model keygen --out "$WORK/k" >/dev/null || fail "keygen failed"
    "$VEIL" model seal "$STORIES" "$WORK/s.veil" --key-file "$WORK/k" >/dev/null 2>&1 || fail "seal failed"
    KEYHEX=$(od -An -tx1 "$WORK/k" | tr -d ' \n')
    CONF=$(config plan stories260K="$STORIES")
    "$VEIL" plan --config "$CONF" --model-path "$STORIES" --epc-bytes 100000000 --json >"$WORK/plain.json" ||
      fail "plan of the plain model failed"
    "$VEIL" plan --config "$CONF" --model-path "$WORK/s.veil" --key-file "$WORK/k" --epc-bytes 100000000 --json \
      >"$WORK/sealed-file.json" 2>"$WORK/plan.log" || fail "plan --key-file failed: $(cat "$WORK/plan.log")"
    SEALKEY=$KEYHEX "$VEIL" plan --config "$CONF" --model-path "$WORK/s.veil" --key-env SEALKEY --epc-bytes 100000000 \
      --json >"$WORK/sealed-env.json" 2>"$WORK/plan.log" || fail "plan --key-env failed: $(cat "$WORK/plan.log")"
    for f in sealed-file sealed-env; do
      # same decision and weight bytes; only the model id (file stem) differs, also inside the reason
      diff <(grep -v -e '"model"' -e '"reason"' "$WORK/plain.json") <(grep -v -e '"model"' -e '"reason"' "$WORK/$f.json") >/dev/null ||
        fail "$f plan differs from the plain model's: $(cat "$WORK/$f.json")"
    done
    grep -q '"model_bytes": 1171200' "$WORK/sealed-env.json" || fail "unexpected weight bytes: $(cat "$WORK/sealed-env.json")"
    "$VEIL" plan --config "$CONF" --model-path "$WORK/s.veil" >/dev/null 2>"$WORK/nokey.err"; rc=$?
    [ $rc -eq 2 ] && grep -q "is a sealed model: give --key-file or --key-env" "$WORK/nokey.err" ||
      fail "plan without a key: exit $rc, $(cat "$WORK/nokey.err")"
    "$VEIL" plan --config "$CONF" --key-file "$WORK/k" >/dev/null 2>"$WORK/nopath.err"; rc=$?
    [ $rc -eq 2 ] && grep -q "go with --model-path" "$WORK/nopath.err" || fail "plan --key-file without a path: exit $rc"
    "$VEIL" plan --config "$CONF" --model-path "$WORK/s.veil" --key-env NO_SUCH_VAR_X >/dev/null 2>"$WORK/unset.err" &&
      fail "plan with an unset key variable passed"
    grep -q "NO_SUCH_VAR_X" "$WORK/unset.err" || fail "unset key variable not named: $(cat "$WORK/unset.err")"
    "$VEIL" serve --config "$CONF" --key-env SEALKEY >/dev/null 2>"$WORK/servenopath.err"; rc=$?
    [ $rc -eq 2 ] && grep -q "go with --model-path" "$WORK/servenopath.err" || fail "serve --key-env without a path: exit $rc"
    export SEALKEY=$KEYHEX
    serve sealed --config "$CONF" --model-path "$WORK/s.veil" --key-env SEALKEY
    unset SEALKEY
    got=$("$VEIL" generate --url "$URL" --prompt "Once upon a time" -n 24 --temp 0 2>"$WORK/sealed.err") ||
      fail "completion from the sealed model failed: $(cat "$WORK/sealed.err")"
    [ "$got" = "$(local_greedy "$STORIES")" ] || fail "sealed model's text [$got] differs from the plain model's"
    curl -s "$URL/v1/models" | grep -q '"id":"s"' || fail "the sealed model is not served as 's'"
    # The same sealed model, configured with `backend: stream` and its key from the environment:
    # a 3 MB EPC (zero reserve) is backend_stream's budget, which keeps part of the layers resident
    # and streams the rest; the text must not change.
    STREAM_CONF="$WORK/stream.yaml"
    printf 'plugin_dir: %s\nplugins:\n  - name: backend_full\n    path: libveil-backend-full.so\n  - name: backend_stream\n    path: libveil-backend-stream.so\ntee: none\nmodels:\n  - id: s\n    path: %s\n    format: sealed\n    key_env: SEALKEY\n    backend: stream\npolicy:\n  reserve_bytes: 0\n  epc_bytes: 3000000\nserver:\n  listen: tcp://127.0.0.1:0\n  parallel: 1\n' \
      "$PLUGINS" "$WORK/s.veil" >"$STREAM_CONF"
    export SEALKEY=$KEYHEX
    serve sealed_stream --config "$STREAM_CONF"
    unset SEALKEY
    curl -s "$URL/v1/models" | grep -q '"backend":"backend_stream"' ||
      fail "the sealed model is not served by backend_stream: $(curl -s "$URL/v1/models")"
    got=$("$VEIL" generate --url "$URL" --prompt "Once upon a time" -n 24 --temp 0 2>"$WORK/sealed_stream.err") ||
      fail "completion from the streamed sealed model failed: $(cat "$WORK/sealed_stream.err")"
    [ "$got" = "$(local_greedy "$STORIES")" ] || fail "streamed sealed model's text [$got] differs from the plain model's"
    grep -q '"streamed_layers":\[[0-9]' "$WORK/sealed_stream.log" || fail "no layer was streamed under the 3 MB budget"
    ;;
  *) fail "unknown mode $MODE" ;;
esac
echo "PASS: $MODE"
