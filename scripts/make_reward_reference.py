#!/usr/bin/python3
"""Tiny Hugging Face sequence-classification (reward) model folders and their exact scores.

Run:  /usr/bin/python3 scripts/make_reward_reference.py [NAME ...]   (PyTorch >= 1.13, numpy; deterministic;
      with NAMEs, only those models are written)

Writes, for each NAME below,
  src/test/resources/reference/models/NAME/config.json + model.safetensors
  src/test/resources/reference/NAME.completions.jsonl   pre-tokenized prompt/completion records
  src/test/resources/reference/NAME.completions.expected.jsonl   the same plus "score"
  src/test/resources/reference/NAME.pairs.jsonl         pre-tokenized preference pairs
  src/test/resources/reference/NAME.pairs.expected.jsonl   the same plus "chosen_score", "rejected_score"

The layout is transformers' *ForSequenceClassification with num_labels = 1 (models/gpt2/modeling_gpt2.py
GPT2ForSequenceClassification, models/llama/modeling_llama.py LlamaForSequenceClassification,
models/qwen3/modeling_qwen3.py Qwen3ForSequenceClassification = GenericForSequenceClassification): the base model
under its prefix ("transformer." / "model."), no lm_head, score = nn.Linear(hidden, 1, bias=False) as
"score.weight" [1, C]. The score of a sequence is score(hidden)[last non-pad token]; the records below
use ids below the pad id except two (trailing pads, an all-pad completion), so it is mostly the last token of
prompt + completion. Hidden states in float64 with the same forward passes as make_reference_models.py.
"""
import json
import os
import sys

import torch

from make_reference_models import (ROOT, gpt2_config, gpt2_hidden, gpt2_weights, llama_config, llama_hidden,
                                   llama_weights, normal, qwen3_config, qwen3_hidden, qwen3_weights, read_safetensors,
                                   write_safetensors)

MODELS = [
    ("gpt2_reward", dict(gpt2_config(64, 24, 3, 48, "F32"), architectures=["GPT2ForSequenceClassification"]),
     lambda cfg, gen: gpt2_weights(cfg, gen, "transformer.", mask_buffers=False)),
    ("llama_reward", llama_config("llama", "LlamaForSequenceClassification", 80, 32, 4, 2, 48, "F32"), llama_weights),
    ("qwen3_reward", dict(qwen3_config(80, 32, 4, 2, 16, 48, "F32"), architectures=["Qwen3ForSequenceClassification"]),
     qwen3_weights),
]


def build(name, cfg, make_weights, seed):
    gen = torch.Generator().manual_seed(seed)
    cfg = dict(cfg, id2label={"0": "LABEL_0"}, label2id={"LABEL_0": 0}, pad_token_id=cfg["vocab_size"] - 1)
    hidden = cfg.get("n_embd") or cfg["hidden_size"]
    named = [(n, t) for n, t in make_weights(cfg, gen) if n != "lm_head.weight"]
    named.append(("score.weight", normal(gen, 1, hidden, std=0.5)))
    folder = os.path.join(ROOT, "models", name)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    path = os.path.join(folder, "model.safetensors")
    write_safetensors(path, [(n, t, "F32") for n, t in named])
    w = read_safetensors(path)
    if cfg["model_type"] == "gpt2":
        w["prefix"] = "transformer."
        h = lambda ids: gpt2_hidden(cfg, w, ids)
    elif cfg["model_type"] == "qwen3":
        h = lambda ids: qwen3_hidden(cfg, w, ids)
    else:
        h = lambda ids: llama_hidden(cfg, w, ids)

    pad = cfg["pad_token_id"]

    def score(prompt, completion):
        """HF's pooling: the rightmost position whose id is not pad_token_id (modeling_llama.py
        LlamaForSequenceClassification: non_pad_mask = input_ids != pad; argmax of index * mask)."""
        ids = prompt + completion
        last = max(i for i, t in enumerate(ids) if t != pad)
        return float(h(torch.tensor(ids, dtype=torch.long))[last] @ w["score.weight"][0])

    rnd = lambda n: torch.randint(0, pad, (n,), generator=gen).tolist()  # ids below the pad id
    with open(os.path.join(ROOT, name + ".completions.jsonl"), "w") as f, \
            open(os.path.join(ROOT, name + ".completions.expected.jsonl"), "w") as g:
        for p, c in [(1, 1), (4, 9), (11, 3), (0, 6)]:
            r = {"prompt_input_ids": rnd(p), "completion_input_ids": rnd(c)}
            if p == 4:  # trailing pad (= EOS when a tokenizer has no pad token): HF scores the token before it
                r["completion_input_ids"] += [pad, pad]
            f.write(json.dumps(r) + "\n")
            g.write(json.dumps(dict(r, score=score(r["prompt_input_ids"], r["completion_input_ids"]))) + "\n")
    with open(os.path.join(ROOT, name + ".pairs.jsonl"), "w") as f, \
            open(os.path.join(ROOT, name + ".pairs.expected.jsonl"), "w") as g:
        for p, c, rj in [(2, 3, 1), (7, 12, 5), (5, 1, 14)]:
            r = {"prompt_input_ids": rnd(p), "chosen_input_ids": rnd(c), "rejected_input_ids": rnd(rj)}
            if p == 5:  # a completion of pads only: the score is read at the prompt's last token
                r["chosen_input_ids"] = [pad]
            f.write(json.dumps(r) + "\n")
            e = dict(r, chosen_score=score(r["prompt_input_ids"], r["chosen_input_ids"]),
                     rejected_score=score(r["prompt_input_ids"], r["rejected_input_ids"]))
            g.write(json.dumps(e) + "\n")


def main(names):
    torch.set_default_dtype(torch.float64)
    for seed, (name, cfg, make_weights) in enumerate(MODELS):
        if names and name not in names:
            continue
        build(name, cfg, make_weights, 2000 + seed)
        print("wrote", name)


if __name__ == "__main__":
    main(sys.argv[1:])
