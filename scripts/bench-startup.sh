#!/usr/bin/env bash
# How long one `deploycheck lint` of a small file takes, start to exit: for the files a
# pre-commit hook passes, process start-up and rule loading dominate, not the input size.
#
# Uses hyperfine (apt-get install hyperfine, or cargo install hyperfine) when it is installed,
# else a plain loop under `time`.
#
#   scripts/bench-startup.sh                      # release build of this checkout
#   DEPLOYCHECK=/path/to/deploycheck scripts/bench-startup.sh
#   RUNS=500 scripts/bench-startup.sh [FILE]
#   NO_HYPERFINE=1 scripts/bench-startup.sh      # the plain loop even with hyperfine installed
set -euo pipefail

cd "$(dirname "$0")/.."
file=${1:-fixtures/examples/.env.production}
runs=${RUNS:-200}

if [[ -z "${DEPLOYCHECK:-}" ]]; then
    cargo build --release --quiet
    DEPLOYCHECK=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/deploycheck
fi
[[ -x "$DEPLOYCHECK" ]] || { echo "no executable at $DEPLOYCHECK" >&2; exit 2; }

# The file has findings (exit 1) on purpose: that is the path a failing hook takes.
command="$DEPLOYCHECK lint --color never $file"
echo "$command"
if [[ -z "${NO_HYPERFINE:-}" ]] && command -v hyperfine >/dev/null; then
    # -N: no intermediate shell, so its start-up is not counted; -i: exit 1 is expected.
    hyperfine -N -i --warmup 20 --runs "$runs" --output=null "$command"
else
    echo "timing $runs runs with a shell loop (no hyperfine)"
    TIMEFORMAT=%R
    elapsed=$({ time for ((i = 0; i < runs; i++)); do
        "$DEPLOYCHECK" lint --color never "$file" >/dev/null || true
    done; } 2>&1)
    awk -v seconds="$elapsed" -v runs="$runs" \
        'BEGIN { printf "%d runs in %.3f s: %.2f ms per run (mean, loop included)\n", runs, seconds, seconds * 1000 / runs }'
fi
