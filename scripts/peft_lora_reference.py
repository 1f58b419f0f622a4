#!/usr/bin/python3
"""PEFT LoRA adapter folders for the tiny reference models, and the log-probs of base + adapter,
made without `peft` or `transformers` (neither is installed here).

Run:  /usr/bin/python3 scripts/peft_lora_reference.py      (after make_reference_models.py; deterministic)

Writes, for each CASE below,
  src/test/resources/reference/peft/CASE/adapter_config.json + adapter_model.safetensors
  src/test/resources/reference/peft/CASE.expected.jsonl   the base model's records plus chosen_logps /
                                                          rejected_logps of the adapted model

This is an independent transcription of PEFT's conventions (huggingface/peft, src/peft/...), written
from PEFT's code rather than from align4j's:
  - tuners/tuners_utils.py check_target_module_exists: a module (its path in the transformers model,
    e.g. "model.layers.0.self_attn.q_proj", "transformer.h.0.attn.c_attn") is targeted when
    key == target or key.endswith("." + target), for each target in the list.
  - utils/other.py _maybe_include_all_linear_layers: "all-linear" = the last name part of every
    nn.Linear / transformers Conv1D module except the output embedding (lm_head).
  - tuners/lora/layer.py LoraLayer.__init__: in/out features from nn.Linear (weight [out, in]) or,
    for GPT-2's Conv1D, from weight.shape = (in, out); update_layer: lora_A = nn.Linear(in, r),
    lora_B = nn.Linear(r, out) (no bias), scaling = lora_alpha / r; Linear.forward:
    result + lora_B(lora_A(dropout(x))) * scaling; get_delta_weight: transpose(B @ A,
    fan_in_fan_out) * scaling (fan_in_fan_out is True for Conv1D).
  - utils/save_and_load.py get_peft_model_state_dict: the PeftModel's state-dict keys
    ("base_model.model." + module path + ".lora_A.default.weight") with the adapter name removed.
  - config.py / LoraConfig: adapter_config.json field names; target_modules saved as a list.
The base models' forward passes are those of make_reference_models.py (float64) on merged weights
W + ΔW, which equals the adapter forward exactly in real arithmetic.
"""
import json
import math
import os

import torch

from make_reference_models import ROOT, completion_logp, gpt2_logits, llama_logits, read_safetensors, \
    write_safetensors

OUT = os.path.join(ROOT, "peft")
NON_LINEAR = ("wte", "wpe", "embed_tokens", "lm_head")

# name, base model, r, lora_alpha, target_modules (as the user gives them), seed
CASES = [
    ("gpt2_c_attn_c_proj", "gpt2_hub", 4, 8, ["c_attn", "c_proj"], 1),
    ("llama_all_linear", "llama_gqa", 3, 5, "all-linear", 2),
    ("qwen2_kv_gate_down", "qwen2_tied_bf16", 2, 16, ["k_proj", "v_proj", "gate_proj", "down_proj"], 3),
]


def linear_modules(cfg, weights):
    """(module path in the transformers model, in_features, out_features, is_conv1d) of every linear layer."""
    gpt2 = cfg["model_type"] == "gpt2"
    prefix = weights["prefix"] if gpt2 else ""
    mods = []
    for name, t in weights.items():
        if name == "prefix" or not name.endswith(".weight") or t.dim() != 2:
            continue
        path = name[:-len(".weight")]
        if path.split(".")[-1] in NON_LINEAR:
            continue
        if gpt2:  # GPT2LMHeadModel holds GPT2Model as .transformer; the file may or may not carry the prefix
            path = "transformer." + path[len(prefix):]
            mods.append((path, t.shape[0], t.shape[1], True))  # Conv1D weight (in, out)
        else:
            mods.append((path, t.shape[1], t.shape[0], False))  # nn.Linear weight (out, in)
    return mods


def targeted(key, targets):
    return any(key == t or key.endswith("." + t) for t in targets)


def build(case, base, r, alpha, targets, seed):
    folder = os.path.join(ROOT, "models", base)
    cfg = json.load(open(os.path.join(folder, "config.json")))
    w = read_safetensors(os.path.join(folder, "model.safetensors"))
    gpt2 = cfg["model_type"] == "gpt2"
    if gpt2:
        w["prefix"] = "transformer." if "transformer.wte.weight" in w else ""
    mods = linear_modules(cfg, w)
    if targets == "all-linear":
        targets = sorted({p.split(".")[-1] for p, _, _, _ in mods})
    gen = torch.Generator().manual_seed(seed)
    scaling = alpha / r
    entries, merged = [], dict(w)
    for path, fin, fout, conv in mods:
        if not targeted(path, targets):
            continue
        bound = 1 / math.sqrt(fin)  # kaiming_uniform_(a=sqrt(5)) bound for fan_in = in
        a = (torch.rand(r, fin, generator=gen, dtype=torch.float64) * 2 - 1) * bound
        b = torch.randn(fout, r, generator=gen, dtype=torch.float64) * 0.3  # non-zero, as after training
        a, b = a.float().double(), b.float().double()  # the values as saved in F32
        key = "base_model.model." + path
        entries += [(key + ".lora_A.weight", a, "F32"), (key + ".lora_B.weight", b, "F32")]
        delta = (b @ a) * scaling  # [out, in]
        wname = (w["prefix"] + path[len("transformer."):] if gpt2 else path) + ".weight"
        merged[wname] = w[wname] + (delta.T if conv else delta)
    out = os.path.join(OUT, case)
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "adapter_model.safetensors"), entries)
    config = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": base, "bias": "none",
        "fan_in_fan_out": gpt2, "inference_mode": True, "init_lora_weights": True, "layer_replication": None,
        "layers_pattern": None, "layers_to_transform": None, "loftq_config": {}, "lora_alpha": alpha,
        "lora_dropout": 0.0, "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
        "peft_type": "LORA", "r": r, "rank_pattern": {}, "revision": None, "target_modules": sorted(targets),
        "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": False,
    }
    with open(os.path.join(out, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    fn = (lambda ids: gpt2_logits(cfg, merged, ids)) if gpt2 else (lambda ids: llama_logits(cfg, merged, ids))
    with open(os.path.join(ROOT, base + ".jsonl")) as f, open(os.path.join(OUT, case + ".expected.jsonl"), "w") as g:
        for line in f:
            rec = json.loads(line)
            rec["chosen_logps"] = completion_logp(fn, rec["prompt_input_ids"], rec["chosen_input_ids"])
            rec["rejected_logps"] = completion_logp(fn, rec["prompt_input_ids"], rec["rejected_input_ids"])
            g.write(json.dumps(rec) + "\n")
    print("wrote", case, len(entries), "tensors")


def main():
    torch.set_default_dtype(torch.float64)
    for c in CASES:
        build(*c)


if __name__ == "__main__":
    main()
