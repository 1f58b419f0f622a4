#!/usr/bin/env bash
# Runs align4j bench and the PyTorch reference step (scripts/bench_pytorch.py) alternately, in one session,
# so their ratio is measured under the same machine load. Writes JSON lines to ${1:-bench-results.jsonl}.
#   scripts/bench_side_by_side.sh results.jsonl [rounds] [steps]
# PyTorch runs in its fastest fp32 setup here (OpenBLAS AVX-512 kernels: OPENBLAS_CORETYPE=SkylakeX),
# with the LM head at every position (TRL's way) and at completion positions only, and with bf16 autocast;
# then the last two again with the reference log-probs precomputed (TRL's precompute_ref_log_probs), which
# are compared with align4j's step on cached reference log-probs (tokens_per_second_cached_ref).
# align4j runs twice per round: FP32 products, and --bf16 (bf16 operands, FP32 sums: autocast's matmuls).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-results.jsonl}; rounds=${2:-2}; steps=${3:-3}
threads=${THREADS:-$(nproc)}
: > "$out"
py() { OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/bench_pytorch.py --json --threads "$threads" --steps "$steps" "$@"; }
for r in $(seq "$rounds"); do
  for shape in small gpt2-small; do
    ./align4j bench --json --shape "$shape" --threads "$threads" --steps "$steps" | sed "s/^{/{\"engine\":\"align4j\",\"round\":$r,/" >> "$out"
    ./align4j bench --json --shape "$shape" --threads "$threads" --steps "$steps" --bf16 | sed "s/^{/{\"engine\":\"align4j-bf16\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at all | sed "s/^{/{\"engine\":\"pytorch-fp32-head-all\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at completion | sed "s/^{/{\"engine\":\"pytorch-fp32-head-completion\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at completion --bf16 | sed "s/^{/{\"engine\":\"pytorch-bf16-head-completion\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at completion --precompute-ref | sed "s/^{/{\"engine\":\"pytorch-fp32-head-completion-precomputed-ref\",\"round\":$r,/" >> "$out"
    py --shape "$shape" --head-at completion --bf16 --precompute-ref | sed "s/^{/{\"engine\":\"pytorch-bf16-head-completion-precomputed-ref\",\"round\":$r,/" >> "$out"
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
best = collections.defaultdict(dict)  # shape -> configuration -> best tokens/s over the rounds
for r in rows:
    cfgs = {r["engine"]: r["tokens_per_second"]}
    if r["engine"].startswith("align4j"):
        cfgs[r["engine"] + "-cached-ref"] = r["tokens_per_second_cached_ref"]
    for k, v in cfgs.items():
        best[r["shape"]][k] = max(best[r["shape"]].get(k, 0), v)
for shape, e in best.items():
    print(f"{shape}: " + ", ".join(f"{k} {v:.0f}" for k, v in e.items()) + " tok/s")
    fresh = max(v for k, v in e.items() if k.startswith("pytorch") and not k.endswith("precomputed-ref"))
    cached = max((v for k, v in e.items() if k.endswith("precomputed-ref")), default=0)
    for a in ("align4j", "align4j-bf16"):
        if a not in e:
            continue
        print(f"  reference forward every step: {a} / best PyTorch = {e[a] / fresh:.2f}")
        if cached:
            print(f"  reference log-probs precomputed: {a} / best PyTorch = {e[a + '-cached-ref'] / cached:.2f}")
PY
