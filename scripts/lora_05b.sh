#!/usr/bin/env bash
# The issue-7 memory check: LoRA DPO on a 0.5B Llama-shaped model (Qwen2.5-0.5B's config.json, random weights)
# at 512 tokens per sequence, peak RSS by /usr/bin/time. Extra arguments go to `align4j dpo` (e.g. --bf16).
#   scripts/lora_05b.sh WORKDIR [dpo options...]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: scripts/lora_05b.sh WORKDIR [dpo options...]}; shift
mkdir -p "$work"
[ -f "$work/qwen05b/config.json" ] || ./align4j init-model --from-config scripts/qwen2.5-0.5b-config.json \
    --output-dir "$work/qwen05b" --torch-dtype bfloat16
# 4 pre-tokenized pairs: 256 prompt + 256 chosen + 256 rejected token ids (two 512-token sequences sharing the prompt)
awk 'BEGIN { srand(1); for (n = 0; n < 4; n++) { split("prompt chosen rejected", f, " ");
  s = "{"; for (k = 1; k <= 3; k++) { s = s (k > 1 ? "," : "") "\"" f[k] "_input_ids\":[";
    for (i = 0; i < 256; i++) s = s (i ? "," : "") int(rand() * 151000); s = s "]" } print s "}" } }' > "$work/pairs.jsonl"
rm -rf "$work/out"
ALIGN4J_JAVA_OPTS=${ALIGN4J_JAVA_OPTS:--Xmx6g} /usr/bin/time -v ./align4j dpo --model "$work/qwen05b" \
  --dataset "$work/pairs.jsonl" --output-dir "$work/out" \
  --use-peft --lora-r 16 --lora-alpha 32 --lora-target-modules all-linear --weights-dtype bf16 \
  --gradient-checkpointing --batch-size 1 --per-device-eval-batch-size 1 --max-steps 3 --logging-steps 1 \
  --learning-rate 1e-4 --threads 2 "$@" 2>&1 | grep -E "step|loss|Maximum resident|Elapsed|error|Error" | grep -v "^\s*$"
