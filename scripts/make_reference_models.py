#!/usr/bin/python3
"""Tiny Hugging Face model folders and their exact log-probabilities, made without `transformers`.

Run:  /usr/bin/python3 scripts/make_reference_models.py [NAME ...]   (PyTorch >= 1.13, numpy; deterministic;
      with NAMEs, only those models are written: each model's seed is its place in MODELS, so the others'
      files stay as they are)

Writes, for each NAME below,
  src/test/resources/reference/models/NAME/config.json + model.safetensors
      (mistral_sharded: model-00001-of-00002.safetensors, model-00002-of-00002.safetensors and
       model.safetensors.index.json)
  src/test/resources/reference/NAME.jsonl           pre-tokenized preference records
  src/test/resources/reference/NAME.expected.jsonl  the same records plus chosen_logps / rejected_logps

chosen_logps = sum over completion tokens c_j of log p(c_j | prompt + c_<j), computed in float64 from
the weights exactly as stored on disk (BF16/F16 weights are rounded before the forward pass), with
positions 0.. starting at the first prompt token and nothing added (no BOS/EOS).

The forward passes below re-implement Hugging Face transformers' semantics in plain torch; each
block names the code it follows (huggingface/transformers, src/transformers/...):
  GPT-2: models/gpt2/modeling_gpt2.py
    - GPT2Model.forward: h = wte[ids] + wpe[pos]; blocks; ln_f; GPT2LMHeadModel ties lm_head to wte.
    - GPT2Block.forward: pre-LN residual blocks, h += attn(ln_1(h)); h += mlp(ln_2(h)).
    - GPT2Attention: c_attn is a Conv1D (weight [in, out], y = x @ W + b) whose output splits into
      q, k, v of n_embd each; eager attention divides scores by sqrt(head_dim) (scale_attn_weights),
      causal mask from the `bias` buffer (tril), softmax, merge heads, c_proj (Conv1D).
    - GPT2MLP: c_proj(act(c_fc(x))) with act = gelu_new (activations.py NewGELUActivation:
      0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))).
  Llama / Mistral / Qwen2: models/llama/modeling_llama.py, models/qwen2/modeling_qwen2.py
    - RMSNorm: weight · x · rsqrt(mean(x²) + eps).
    - Attention: q/k/v_proj (nn.Linear, y = x Wᵀ + b; Qwen2 has q/k/v bias), head_dim from config
      `head_dim` or hidden/heads, apply_rotary_pos_emb with rotate_half (half-split layout:
      x·cos + rotate_half(x)·sin, rotate_half(x) = cat(−x2, x1)), repeat_kv for grouped-query
      attention, scaling head_dim^-0.5, causal softmax, o_proj.
    - MLP: down_proj(silu(gate_proj(x)) · up_proj(x)).
    - LlamaForCausalLM: lm_head, tied to embed_tokens when tie_word_embeddings.
  Qwen3: models/qwen3/modeling_qwen3.py, configuration_qwen3.py
    - Qwen3Attention: q/k/v/o_proj with bias only when attention_bias; q_norm / k_norm are Qwen3RMSNorm
      of size head_dim applied to q_proj(x).view(..., head_dim) and k_proj(x).view(..., head_dim), i.e.
      to every head separately, before apply_rotary_pos_emb; v is not normalised. head_dim is the
      config's (default 128, independent of hidden/heads); scaling head_dim^-0.5, repeat_kv, o_proj.
    - Qwen3MLP: gate/up/down_proj without bias; Qwen3ForCausalLM ties lm_head per tie_word_embeddings.
  RoPE frequencies: modeling_rope_utils.py
    - _compute_default_rope_parameters: inv_freq[i] = theta^(−2i/dim), dim = head_dim (config
      `head_dim` or hidden_size // num_attention_heads, as in transformers >= 4.45).
    - _compute_llama3_parameters: wavelen = 2π/inv_freq; wavelen > original/low_freq_factor → /factor;
      wavelen < original/high_freq_factor → unchanged; otherwise smooth = (original/wavelen − low) /
      (high − low) and inv = (1 − smooth)·inv/factor + smooth·inv.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "reference")

DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}
TORCH_DTYPE_NAME = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


# ---------------------------------------------------------------- safetensors writer (format spec:
# huggingface/safetensors README: u64 LE header size, JSON header, raw little-endian data)

def tensor_bytes(t, dtype):
    t = t.detach().to(DTYPES[dtype][0]).contiguous()
    if dtype == "BF16":  # numpy has no bfloat16: reinterpret the bits
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if dtype == "F16":
        return t.numpy().astype("<f2").tobytes()
    return t.numpy().astype("<f4").tobytes()


def write_safetensors(path, tensors):
    """tensors: list of (name, torch tensor, dtype string) in file order."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t, dtype in tensors:
        b = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return offset


def read_safetensors(path):
    """Reads back what write_safetensors wrote (a self-check of the writer)."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        buf = raw[8 + n + b:8 + n + e]
        if info["dtype"] == "BF16":
            t = torch.from_numpy(np.frombuffer(buf, dtype="<i2").copy()).view(torch.bfloat16)
        elif info["dtype"] == "F16":
            t = torch.from_numpy(np.frombuffer(buf, dtype="<f2").copy())
        else:
            t = torch.from_numpy(np.frombuffer(buf, dtype="<f4").copy())
        out[name] = t.reshape(info["shape"]).double()
    return out


# ---------------------------------------------------------------- reference forward passes (float64)

def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def causal_attention(q, k, v, scale):
    """q: [H,T,D], k,v: [H,T,D] (kv already repeated) → [T,H·D]."""
    t = q.shape[1]
    scores = q @ k.transpose(1, 2) * scale
    mask = torch.ones(t, t, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    return out.transpose(0, 1).reshape(t, -1)


def gpt2_logits(cfg, w, ids):
    return gpt2_hidden(cfg, w, ids) @ w[w["prefix"] + "wte.weight"].T


def gpt2_hidden(cfg, w, ids):
    """GPT2Model's last hidden state (after ln_f), [T, C]."""
    p = w["prefix"]
    g = lambda n: w[p + n]
    c, nh = cfg["n_embd"], cfg["n_head"]
    d = c // nh
    eps = cfg["layer_norm_epsilon"]
    t = len(ids)
    h = g("wte.weight")[ids] + g("wpe.weight")[torch.arange(t)]
    for i in range(cfg["n_layer"]):
        l = "h.%d." % i
        a = layer_norm(h, g(l + "ln_1.weight"), g(l + "ln_1.bias"), eps)
        qkv = a @ g(l + "attn.c_attn.weight") + g(l + "attn.c_attn.bias")  # Conv1D: x @ W[in,out] + b
        q, k, v = qkv.split(c, dim=-1)
        heads = lambda x: x.reshape(t, nh, d).transpose(0, 1)
        att = causal_attention(heads(q), heads(k), heads(v), 1.0 / math.sqrt(d))
        h = h + att @ g(l + "attn.c_proj.weight") + g(l + "attn.c_proj.bias")
        m = layer_norm(h, g(l + "ln_2.weight"), g(l + "ln_2.bias"), eps)
        m = gelu_new(m @ g(l + "mlp.c_fc.weight") + g(l + "mlp.c_fc.bias"))
        h = h + m @ g(l + "mlp.c_proj.weight") + g(l + "mlp.c_proj.bias")
    return layer_norm(h, g("ln_f.weight"), g("ln_f.bias"), eps)


def rope_inv_freq(cfg, head_dim):
    theta = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    rs = cfg.get("rope_scaling")
    if rs is None:
        return inv
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "linear":
        return inv / rs["factor"]
    assert kind == "llama3", kind
    factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, scaled)


def apply_rope(x, inv_freq):
    """x: [H,T,D]; half-split rotate_half layout."""
    t, d = x.shape[1], x.shape[2]
    ang = torch.arange(t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat([ang, ang], dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


def llama_logits(cfg, w, ids):
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return llama_hidden(cfg, w, ids) @ head.T


def llama_hidden(cfg, w, ids):
    """LlamaModel's last hidden state (after the final norm), [T, C]."""
    c, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    kv = cfg.get("num_key_value_heads", nh)
    d = cfg.get("head_dim") or c // nh
    eps = cfg["rms_norm_eps"]
    inv_freq = rope_inv_freq(cfg, d)
    t = len(ids)
    opt = lambda n: w.get(n, 0.0)
    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        l = "model.layers.%d." % i
        a = rms_norm(h, w[l + "input_layernorm.weight"], eps)
        q = a @ w[l + "self_attn.q_proj.weight"].T + opt(l + "self_attn.q_proj.bias")
        k = a @ w[l + "self_attn.k_proj.weight"].T + opt(l + "self_attn.k_proj.bias")
        v = a @ w[l + "self_attn.v_proj.weight"].T + opt(l + "self_attn.v_proj.bias")
        q = apply_rope(q.reshape(t, nh, d).transpose(0, 1), inv_freq)
        k = apply_rope(k.reshape(t, kv, d).transpose(0, 1), inv_freq)
        v = v.reshape(t, kv, d).transpose(0, 1)
        k, v = k.repeat_interleave(nh // kv, dim=0), v.repeat_interleave(nh // kv, dim=0)  # repeat_kv
        att = causal_attention(q, k, v, d ** -0.5)
        h = h + att @ w[l + "self_attn.o_proj.weight"].T + opt(l + "self_attn.o_proj.bias")
        m = rms_norm(h, w[l + "post_attention_layernorm.weight"], eps)
        gate = m @ w[l + "mlp.gate_proj.weight"].T + opt(l + "mlp.gate_proj.bias")
        up = m @ w[l + "mlp.up_proj.weight"].T + opt(l + "mlp.up_proj.bias")
        act = gate * torch.sigmoid(gate)  # silu
        h = h + (act * up) @ w[l + "mlp.down_proj.weight"].T + opt(l + "mlp.down_proj.bias")
    return rms_norm(h, w["model.norm.weight"], eps)


def qwen3_logits(cfg, w, ids):
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return qwen3_hidden(cfg, w, ids) @ head.T


def qwen3_hidden(cfg, w, ids):
    """Qwen3Model's last hidden state (after model.norm), [T, C]."""
    nh, kv, d = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    inv_freq = rope_inv_freq(cfg, d)
    t = len(ids)
    bias = cfg.get("attention_bias", False)
    linear = lambda x, name: x @ w[name + ".weight"].T + (w[name + ".bias"] if bias else 0.0)
    h = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        l = "model.layers.%d." % i
        a = rms_norm(h, w[l + "input_layernorm.weight"], eps)
        # q_norm(q_proj(x).view(T, H, D)): RMSNorm over each head's D values, then [H, T, D] and RoPE
        q = rms_norm(linear(a, l + "self_attn.q_proj").reshape(t, nh, d), w[l + "self_attn.q_norm.weight"], eps)
        k = rms_norm(linear(a, l + "self_attn.k_proj").reshape(t, kv, d), w[l + "self_attn.k_norm.weight"], eps)
        v = linear(a, l + "self_attn.v_proj").reshape(t, kv, d)
        q = apply_rope(q.transpose(0, 1), inv_freq)
        k = apply_rope(k.transpose(0, 1), inv_freq)
        v = v.transpose(0, 1)
        k, v = k.repeat_interleave(nh // kv, dim=0), v.repeat_interleave(nh // kv, dim=0)  # repeat_kv
        att = causal_attention(q, k, v, d ** -0.5)
        h = h + linear(att, l + "self_attn.o_proj")
        m = rms_norm(h, w[l + "post_attention_layernorm.weight"], eps)
        gate, up = m @ w[l + "mlp.gate_proj.weight"].T, m @ w[l + "mlp.up_proj.weight"].T
        h = h + (gate * torch.sigmoid(gate) * up) @ w[l + "mlp.down_proj.weight"].T
    return rms_norm(h, w["model.norm.weight"], eps)


def completion_logp(logits_fn, prompt, completion):
    ids = torch.tensor(prompt + completion, dtype=torch.long)
    logp = torch.log_softmax(logits_fn(ids), dim=-1)
    n = len(prompt)
    return float(sum(logp[n + j - 1, tok] for j, tok in enumerate(completion)))


# ---------------------------------------------------------------- model definitions

def normal(gen, *shape, std=0.2):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * std


def gpt2_weights(cfg, gen, prefix, mask_buffers):
    c, v, p, inner = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], cfg.get("n_inner") or 4 * cfg["n_embd"]
    ws = [("wte.weight", normal(gen, v, c, std=0.5)), ("wpe.weight", normal(gen, p, c, std=0.3))]
    for i in range(cfg["n_layer"]):
        l = "h.%d." % i
        ws += [(l + "ln_1.weight", 1 + normal(gen, c, std=0.1)), (l + "ln_1.bias", normal(gen, c, std=0.1))]
        if mask_buffers:  # as in the original hub checkpoints: causal mask and masked_bias buffers
            ws += [(l + "attn.bias", torch.ones(p, p, dtype=torch.float64).tril().reshape(1, 1, p, p)),
                   (l + "attn.masked_bias", torch.tensor(-1e4, dtype=torch.float64))]
        ws += [(l + "attn.c_attn.weight", normal(gen, c, 3 * c)), (l + "attn.c_attn.bias", normal(gen, 3 * c, std=0.1)),
               (l + "attn.c_proj.weight", normal(gen, c, c)), (l + "attn.c_proj.bias", normal(gen, c, std=0.1)),
               (l + "ln_2.weight", 1 + normal(gen, c, std=0.1)), (l + "ln_2.bias", normal(gen, c, std=0.1)),
               (l + "mlp.c_fc.weight", normal(gen, c, inner)), (l + "mlp.c_fc.bias", normal(gen, inner, std=0.1)),
               (l + "mlp.c_proj.weight", normal(gen, inner, c, std=0.1)), (l + "mlp.c_proj.bias", normal(gen, c, std=0.1))]
    ws += [("ln_f.weight", 1 + normal(gen, c, std=0.1)), ("ln_f.bias", normal(gen, c, std=0.1))]
    return [(prefix + n, t) for n, t in ws]


def llama_weights(cfg, gen):
    c, v, nh = cfg["hidden_size"], cfg["vocab_size"], cfg["num_attention_heads"]
    kv, inter = cfg.get("num_key_value_heads", nh), cfg["intermediate_size"]
    d = cfg.get("head_dim") or c // nh
    qkv_bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    ws = [("model.embed_tokens.weight", normal(gen, v, c, std=0.5))]
    for i in range(cfg["num_hidden_layers"]):
        l = "model.layers.%d." % i
        ws.append((l + "input_layernorm.weight", 1 + normal(gen, c, std=0.1)))
        for proj, rows in (("q", nh * d), ("k", kv * d), ("v", kv * d)):
            ws.append((l + "self_attn.%s_proj.weight" % proj, normal(gen, rows, c)))
            if qkv_bias:
                ws.append((l + "self_attn.%s_proj.bias" % proj, normal(gen, rows, std=0.1)))
        ws.append((l + "self_attn.o_proj.weight", normal(gen, c, nh * d)))
        ws.append((l + "post_attention_layernorm.weight", 1 + normal(gen, c, std=0.1)))
        ws += [(l + "mlp.gate_proj.weight", normal(gen, inter, c)), (l + "mlp.up_proj.weight", normal(gen, inter, c)),
               (l + "mlp.down_proj.weight", normal(gen, c, inter))]
    ws.append(("model.norm.weight", 1 + normal(gen, c, std=0.1)))
    if not cfg.get("tie_word_embeddings", False):
        ws.append(("lm_head.weight", normal(gen, v, c)))
    return ws


def qwen3_weights(cfg, gen):
    c, v, nh = cfg["hidden_size"], cfg["vocab_size"], cfg["num_attention_heads"]
    kv, inter, d = cfg["num_key_value_heads"], cfg["intermediate_size"], cfg["head_dim"]
    bias = cfg.get("attention_bias", False)
    ws = [("model.embed_tokens.weight", normal(gen, v, c, std=0.5))]
    for i in range(cfg["num_hidden_layers"]):
        l = "model.layers.%d." % i
        ws.append((l + "input_layernorm.weight", 1 + normal(gen, c, std=0.1)))
        for proj, rows, cols in (("q", nh * d, c), ("k", kv * d, c), ("v", kv * d, c), ("o", c, nh * d)):
            ws.append((l + "self_attn.%s_proj.weight" % proj, normal(gen, rows, cols)))
            if bias:
                ws.append((l + "self_attn.%s_proj.bias" % proj, normal(gen, rows, std=0.1)))
        ws += [(l + "self_attn.q_norm.weight", 1 + normal(gen, d, std=0.2)),
               (l + "self_attn.k_norm.weight", 1 + normal(gen, d, std=0.2))]
        ws.append((l + "post_attention_layernorm.weight", 1 + normal(gen, c, std=0.1)))
        ws += [(l + "mlp.gate_proj.weight", normal(gen, inter, c)), (l + "mlp.up_proj.weight", normal(gen, inter, c)),
               (l + "mlp.down_proj.weight", normal(gen, c, inter))]
    ws.append(("model.norm.weight", 1 + normal(gen, c, std=0.1)))
    if not cfg.get("tie_word_embeddings", False):
        ws.append(("lm_head.weight", normal(gen, v, c)))
    return ws


def qwen3_config(vocab, hidden, heads, kv, head_dim, inter, dtype, **extra):
    """Shaped like Qwen/Qwen3-0.6B's config.json."""
    cfg = {"architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
           "bos_token_id": 1, "eos_token_id": 2, "head_dim": head_dim, "hidden_act": "silu", "hidden_size": hidden,
           "initializer_range": 0.02, "intermediate_size": inter, "max_position_embeddings": 128,
           "max_window_layers": 2, "model_type": "qwen3", "num_attention_heads": heads, "num_hidden_layers": 2,
           "num_key_value_heads": kv, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 1000000.0,
           "sliding_window": None, "tie_word_embeddings": True, "torch_dtype": TORCH_DTYPE_NAME[dtype],
           "use_cache": True, "use_sliding_window": False, "vocab_size": vocab}
    cfg.update(extra)
    return cfg


def gpt2_config(vocab, hidden, heads, positions, dtype):
    return {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
            "bos_token_id": vocab - 1, "embd_pdrop": 0.1, "eos_token_id": vocab - 1, "initializer_range": 0.02,
            "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": positions, "n_embd": hidden,
            "n_head": heads, "n_inner": None, "n_layer": 2, "n_positions": positions, "resid_pdrop": 0.1,
            "scale_attn_weights": True, "summary_activation": None, "summary_first_dropout": 0.1,
            "summary_proj_to_labels": True, "summary_type": "cls_index", "summary_use_proj": True,
            "torch_dtype": TORCH_DTYPE_NAME[dtype], "use_cache": True, "vocab_size": vocab}


def llama_config(model_type, arch, vocab, hidden, heads, kv, inter, dtype, **extra):
    cfg = {"architectures": [arch], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
           "hidden_act": "silu", "hidden_size": hidden, "initializer_range": 0.02, "intermediate_size": inter,
           "max_position_embeddings": 128, "model_type": model_type, "num_attention_heads": heads,
           "num_hidden_layers": 2, "num_key_value_heads": kv, "rms_norm_eps": 1e-06, "rope_theta": 10000.0,
           "tie_word_embeddings": False, "torch_dtype": TORCH_DTYPE_NAME[dtype], "use_cache": True,
           "vocab_size": vocab}
    cfg.update(extra)
    return cfg


MODELS = [
    # name, config, dtype, weights(cfg, gen), shards (None: one file; else list of name-prefix groups)
    ("gpt2_hub", gpt2_config(128, 32, 4, 64, "F32"), "F32",
     lambda cfg, gen: gpt2_weights(cfg, gen, "", mask_buffers=True), None),
    ("gpt2_transformer_prefix", gpt2_config(96, 32, 2, 48, "F16"), "F16",
     lambda cfg, gen: gpt2_weights(cfg, gen, "transformer.", mask_buffers=False), None),
    ("llama_gqa", llama_config("llama", "LlamaForCausalLM", 160, 32, 4, 2, 64, "F32",
                               attention_bias=False, mlp_bias=False, pretraining_tp=1, rope_scaling=None),
     "F32", llama_weights, None),
    ("llama3_rope_scaling", llama_config("llama", "LlamaForCausalLM", 144, 32, 4, 2, 48, "F32",
                                         head_dim=16, rope_theta=500000.0, attention_bias=False, mlp_bias=False,
                                         rope_scaling={"factor": 8.0, "low_freq_factor": 1.0,
                                                       "high_freq_factor": 4.0,
                                                       "original_max_position_embeddings": 32,
                                                       "rope_type": "llama3"}),
     "F32", llama_weights, None),
    ("qwen2_tied_bf16", llama_config("qwen2", "Qwen2ForCausalLM", 136, 32, 4, 2, 64, "BF16",
                                     tie_word_embeddings=True, use_sliding_window=False, sliding_window=None,
                                     max_window_layers=2, rms_norm_eps=1e-06, rope_theta=1000000.0),
     "BF16", llama_weights, None),
    ("mistral_sharded", llama_config("mistral", "MistralForCausalLM", 120, 32, 4, 1, 56, "F32",
                                     sliding_window=None),
     "F32", llama_weights, ["model.embed_tokens.", "model.layers.0."]),
    # head_dim 16 ≠ hidden/heads = 8, as in Qwen3-0.6B (128 ≠ 1024/16)
    ("qwen3_tied_bf16", qwen3_config(136, 32, 4, 2, 16, 64, "BF16"), "BF16", qwen3_weights, None),
    ("qwen3_attention_bias", qwen3_config(112, 32, 4, 1, 8, 48, "F32", attention_bias=True, tie_word_embeddings=False,
                                          rope_theta=10000.0, rope_scaling={"rope_type": "linear", "factor": 2.0}),
     "F32", qwen3_weights, None),
]


def records(gen, vocab):
    """Six preference records; prompt/completion lengths cover 1 token up to ~20."""
    lengths = [(1, 1, 2), (3, 5, 1), (7, 12, 9), (12, 3, 20), (20, 17, 6), (5, 20, 19)]
    out = []
    for p, c, r in lengths:
        rnd = lambda n: torch.randint(0, vocab, (n,), generator=gen).tolist()
        out.append({"prompt_input_ids": rnd(p), "chosen_input_ids": rnd(c), "rejected_input_ids": rnd(r)})
    return out


def build(name, cfg, dtype, make_weights, shard_groups, seed):
    gen = torch.Generator().manual_seed(seed)
    named = make_weights(cfg, gen)
    folder = os.path.join(ROOT, "models", name)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    entries = [(n, t, dtype) for n, t in named]
    if shard_groups is None:
        write_safetensors(os.path.join(folder, "model.safetensors"), entries)
        files = ["model.safetensors"]
    else:
        first = [e for e in entries if any(e[0].startswith(g) for g in shard_groups)]
        in_first = {e[0] for e in first}
        rest = [e for e in entries if e[0] not in in_first]
        files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        total = sum(write_safetensors(os.path.join(folder, fn), part) for fn, part in zip(files, (first, rest)))
        index = {"metadata": {"total_size": total},
                 "weight_map": {n: files[0 if n in in_first else 1] for n in sorted(n for n, _, _ in entries)}}
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump(index, f, indent=2)
            f.write("\n")

    # the reference runs on the weights as stored: read them back (rounded to the stored dtype)
    stored = {}
    for fn in files:
        stored.update(read_safetensors(os.path.join(folder, fn)))
    for n, t in named:
        assert torch.equal(stored[n], t.to(DTYPES[dtype][0]).double()), n
    if cfg["model_type"] == "gpt2":
        stored["prefix"] = "transformer." if "transformer.wte.weight" in stored else ""
        fn = lambda ids: gpt2_logits(cfg, stored, ids)
    elif cfg["model_type"] == "qwen3":
        fn = lambda ids: qwen3_logits(cfg, stored, ids)
    else:
        fn = lambda ids: llama_logits(cfg, stored, ids)

    recs = records(gen, cfg["vocab_size"])
    with open(os.path.join(ROOT, name + ".jsonl"), "w") as f, \
            open(os.path.join(ROOT, name + ".expected.jsonl"), "w") as g:
        for r in recs:
            f.write(json.dumps(r) + "\n")
            e = dict(r)
            e["chosen_logps"] = completion_logp(fn, r["prompt_input_ids"], r["chosen_input_ids"])
            e["rejected_logps"] = completion_logp(fn, r["prompt_input_ids"], r["rejected_input_ids"])
            g.write(json.dumps(e) + "\n")
    return recs, fn


def check_causality(fn, recs):
    """A prefix's log-probs do not depend on later tokens (the mask is causal)."""
    r = recs[2]
    ids = r["prompt_input_ids"] + r["chosen_input_ids"]
    full = torch.log_softmax(fn(torch.tensor(ids)), dim=-1)
    part = torch.log_softmax(fn(torch.tensor(ids[:5])), dim=-1)
    assert torch.allclose(full[:5], part, atol=1e-12, rtol=0)


def main(names):
    torch.set_default_dtype(torch.float64)
    unknown = set(names) - {m[0] for m in MODELS}
    assert not unknown, "no such model: %s" % sorted(unknown)
    for seed, (name, cfg, dtype, make_weights, shards) in enumerate(MODELS):
        if names and name not in names:
            continue
        recs, fn = build(name, cfg, dtype, make_weights, shards, 1000 + seed)
        check_causality(fn, recs)
        print("wrote", name)


if __name__ == "__main__":
    main(sys.argv[1:])
