#!/usr/bin/python3
"""PyTorch baseline for `align4j bench`: one DPO training step on a GPT-2-architecture model.

Fastest setup (Debian python3-torch 1.13 on CPU, whose BLAS is the system libblas.so.3):
    apt-get install libopenblas0-openmp      # torch's generic BLAS then resolves to OpenMP OpenBLAS
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/bench_pytorch.py --shape all --threads 2 \
        --head-at completion --json
OPENBLAS_CORETYPE=SkylakeX makes OpenBLAS 0.3.21 use its AVX-512 kernels, which its CPU detection may
not choose by itself on newer CPUs. Run nothing else on the machine while measuring.

Shapes (GPT-2 architecture: learned positions, pre-LayerNorm, GELU-tanh MLP, tied LM head):
    small:      6 layers, 384 wide, 6 heads, vocab 8192,  256-token sequences (128 prompt), 8 pairs
    gpt2-small: 12 layers, 768 wide, 12 heads, vocab 50257, 512-token sequences (256 prompt), 2 pairs

One step, as align4j's DPO step:
    policy forward + backward over chosen and rejected (one concatenated batch of 2·pairs sequences),
    reference forward under no_grad on the same batch, sigmoid DPO loss (beta 0.1) on log-probs summed
    over completion tokens:  loss = −log σ(β·((π_c − ref_c) − (π_r − ref_r)))  (Rafailov et al. 2023,
    eq. 7; TRL DPOTrainer loss_type="sigmoid"), then an AdamW step.
--head-at all computes the LM head and log-softmax at every position (as TRL does); completion only at
the positions whose next token is a completion token.
--precompute-ref computes the reference log-probs once, before the timed steps, and each step reads them
(TRL's precompute_ref_log_probs=True; what `align4j bench` reports as tokens_per_second_cached_ref).

--json prints one object per shape:
    shape, tokens_per_second (2·pairs·seq tokens — chosen plus rejected, prompt included — per second),
    seconds_per_step (mean over --steps after --warmup), peak_rss_mb (this shape's process), threads,
    config {layers, hidden, heads, vocab, seq, prompt, pairs, head_at, bf16, beta, steps, warmup, torch}
With --shape all each shape runs in its own process so that peak_rss_mb is that shape's alone.
"""
import argparse
import json
import math
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SHAPES = {
    "small": dict(layers=6, hidden=384, heads=6, vocab=8192, seq=256, prompt=128, pairs=8),
    "gpt2-small": dict(layers=12, hidden=768, heads=12, vocab=50257, seq=512, prompt=256, pairs=2),
}


class Block(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = nn.LayerNorm(c, eps=1e-5), nn.LayerNorm(c, eps=1e-5)
        self.c_attn, self.c_proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.c_fc, self.mlp_proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def forward(self, x, mask):
        b, t, c = x.shape
        d = c // self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d)) + mask
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, s):
        super().__init__()
        c = s["hidden"]
        self.wte, self.wpe = nn.Embedding(s["vocab"], c), nn.Embedding(s["seq"], c)
        self.blocks = nn.ModuleList(Block(c, s["heads"]) for _ in range(s["layers"]))
        self.ln_f = nn.LayerNorm(c, eps=1e-5)
        for p in self.parameters():  # GPT-2 initialisation scale for matrices
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)

    def hidden(self, ids):
        t = ids.shape[1]
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for blk in self.blocks:
            x = blk(x, mask)
        return self.ln_f(x)


def completion_logps(model, ids, prompt, head_at):
    """Σ over completion tokens of log p(token | previous tokens), one value per sequence."""
    h = model.hidden(ids)
    targets = ids[:, prompt:]
    if head_at == "all":
        logp = torch.log_softmax((h @ model.wte.weight.T).float(), dim=-1)[:, prompt - 1:-1]
    else:
        logp = torch.log_softmax((h[:, prompt - 1:-1] @ model.wte.weight.T).float(), dim=-1)
    return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1).sum(-1)


def reference_logps(reference, ids, s, args):
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
        with torch.no_grad():
            return completion_logps(reference, ids, s["prompt"], args.head_at)


def dpo_step(policy, reference, opt, ids, s, args, cached_ref=None):
    pairs = s["pairs"]
    ref = cached_ref if cached_ref is not None else reference_logps(reference, ids, s, args)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
        pol = completion_logps(policy, ids, s["prompt"], args.head_at)
    margin = (pol[:pairs] - ref[:pairs]) - (pol[pairs:] - ref[pairs:])
    loss = -F.logsigmoid(args.beta * margin).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss)


def run_shape(name, args):
    s = SHAPES[name]
    torch.manual_seed(0)
    policy = Gpt2(s)
    reference = Gpt2(s)
    reference.load_state_dict(policy.state_dict())
    reference.requires_grad_(False)
    opt = torch.optim.AdamW(policy.parameters(), lr=1e-5, weight_decay=0.0)
    ids = torch.randint(0, s["vocab"], (2 * s["pairs"], s["seq"]))  # chosen rows, then rejected rows
    ids[s["pairs"]:, :s["prompt"]] = ids[:s["pairs"], :s["prompt"]]  # each pair shares its prompt
    cached = reference_logps(reference, ids, s, args) if args.precompute_ref else None
    for _ in range(args.warmup):
        dpo_step(policy, reference, opt, ids, s, args, cached)
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = dpo_step(policy, reference, opt, ids, s, args, cached)
    sec = (time.perf_counter() - start) / args.steps
    tokens = 2 * s["pairs"] * s["seq"]
    return {"shape": name, "tokens_per_second": tokens / sec, "seconds_per_step": sec,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "threads": torch.get_num_threads(), "loss": loss,
            "config": dict(s, head_at=args.head_at, bf16=args.bf16, precompute_ref=args.precompute_ref, beta=args.beta, steps=args.steps,
                           warmup=args.warmup, torch=torch.__version__)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", default="all", choices=["all"] + list(SHAPES))
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--head-at", default="all", choices=["all", "completion"])
    ap.add_argument("--bf16", action="store_true", help="autocast forwards to bfloat16")
    ap.add_argument("--precompute-ref", action="store_true",
                    help="reference log-probs computed once before timing (TRL's precompute_ref_log_probs)")
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.shape == "all":  # one process per shape: peak RSS must not carry over
        for name in SHAPES:
            argv = list(sys.argv[1:])
            if "--shape" in argv:
                i = argv.index("--shape")
                del argv[i:i + 2]
            argv = [a for a in argv if not a.startswith("--shape=")]
            code = subprocess.call([sys.executable, __file__, "--shape", name] + argv)
            if code != 0:
                sys.exit(code)
        return
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    r = run_shape(args.shape, args)
    if args.json:
        print(json.dumps(r), flush=True)
    else:
        print("%-10s %8.1f tokens/s  %7.3f s/step  peak RSS %7.1f MB  threads %d  head at %s%s"
              % (r["shape"], r["tokens_per_second"], r["seconds_per_step"], r["peak_rss_mb"], r["threads"],
                 args.head_at, ("  bf16" if args.bf16 else "") + ("  precomputed ref" if args.precompute_ref else "")),
              flush=True)


if __name__ == "__main__":
    main()
