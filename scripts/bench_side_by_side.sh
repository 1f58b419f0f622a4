#!/usr/bin/env bash
# Runs align4j bench and the PyTorch reference step (scripts/bench_pytorch.py) alternately, in one session,
# so their ratio is measured under the same machine load. Writes JSON lines to ${1:-bench-results.jsonl}.
#   scripts/bench_side_by_side.sh results.jsonl [rounds] [steps]
# PyTorch runs in its fastest fp32 setup here (OpenBLAS AVX-512 kernels: OPENBLAS_CORETYPE=SkylakeX),
# with the LM head at every position (TRL's way) and at completion positions only, and with bf16 autocast.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-results.jsonl}; rounds=${2:-2}; steps=${3:-3}
threads=${THREADS:-$(nproc)}
: > "$out"
py() { OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/bench_pytorch.py --json --threads "$threads" --steps "$steps" "$@"; }
for r in $(seq "$rounds"); do
  for shape in small gpt2-small; do
    ./align4j bench --json --shape "$shape" --threads "$threads" --steps "$steps" | sed "s/^{/{\"engine\":\"align4j\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at all | sed "s/^{/{\"engine\":\"pytorch-fp32-head-all\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at completion | sed "s/^{/{\"engine\":\"pytorch-fp32-head-completion\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at completion --bf16 | sed "s/^{/{\"engine\":\"pytorch-bf16-head-completion\",\"round\":$r,/" >> "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
best = collections.defaultdict(dict)
for r in rows:
    k = (r["shape"], r["engine"]); best[r["shape"]][r["engine"]] = max(best[r["shape"]].get(r["engine"], 0), r["tokens_per_second"])
for shape, e in best.items():
    a = e.get("align4j", 0); pt = max(v for k, v in e.items() if k != "align4j")
    print(f"{shape}: " + ", ".join(f"{k} {v:.0f} tok/s" for k, v in e.items()) + f"; align4j / best PyTorch = {a/pt:.2f}")
PY
