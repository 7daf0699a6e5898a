#!/bin/bash
# Runs a command in a fresh memory cgroup limited to BYTES and prints the cgroup's peak memory
# (page cache included) afterwards — how backend_stream's budget is measured from outside:
#
#   scripts/bench-in-cgroup.sh 335544320 -- build/veil bench --backend stream --memory-budget 300M ...
#
# Uses cgroup v2 (memory.max / memory.peak) when the unified hierarchy offers the memory
# controller, else cgroup v1 (memory.limit_in_bytes / memory.max_usage_in_bytes). Needs root.
# Swap is disabled for the cgroup where the kernel allows it, so the limit cannot be dodged.
# Exit status: the command's (137 when the kernel OOM-killed it, which the script reports).
set -euo pipefail

usage() { echo "usage: $0 BYTES -- COMMAND [ARGS...]" >&2; exit 2; }
[[ $# -ge 3 && "$2" == "--" ]] || usage
bytes=$1
shift 2
[[ "$bytes" =~ ^[0-9]+$ && "$bytes" -gt 0 ]] || { echo "$0: BYTES must be a positive integer, got '$bytes'" >&2; exit 2; }

name="veil-bench-$$"
if [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    root=/sys/fs/cgroup
    grep -qw memory "$root/cgroup.subtree_control" 2>/dev/null || echo "+memory" > "$root/cgroup.subtree_control"
    dir="$root/$name"
    mkdir "$dir"
    echo "$bytes" > "$dir/memory.max"
    [[ -f "$dir/memory.swap.max" ]] && echo 0 > "$dir/memory.swap.max"
    peak_file="$dir/memory.peak"
    events="$dir/memory.events"
    version=2
elif [[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]]; then
    dir="/sys/fs/cgroup/memory/$name"
    mkdir "$dir"
    echo "$bytes" > "$dir/memory.limit_in_bytes"
    [[ -f "$dir/memory.memsw.limit_in_bytes" ]] && echo "$bytes" > "$dir/memory.memsw.limit_in_bytes" 2>/dev/null || true
    peak_file="$dir/memory.max_usage_in_bytes"
    events="$dir/memory.oom_control"
    version=1
else
    echo "$0: no memory cgroup controller available (cgroup v2 without memory, and no v1 memory hierarchy)" >&2
    exit 1
fi
cleanup() { rmdir "$dir" 2>/dev/null || true; }
trap cleanup EXIT

# The child joins the cgroup before exec, so everything the command does is charged to it.
set +e
bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$dir" "$@"
rc=$?
set -e

peak=$(cat "$peak_file")
oom=$(grep -E '^oom_kill ' "$events" 2>/dev/null | awk '{print $2}')
awk -v v="$version" -v b="$bytes" -v p="$peak" -v o="${oom:-0}" -v rc="$rc" 'BEGIN {
    printf "cgroup v%s limit %d bytes (%.1f MiB), peak %d bytes (%.1f MiB), oom kills %d, exit %d\n", v, b, b / 1048576, p, p / 1048576, o, rc
}' >&2
exit "$rc"
