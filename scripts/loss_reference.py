#!/usr/bin/python3
"""Reference numbers for align4j's DPO losses, Bradley-Terry loss, AdamW, LR schedules and clipping.

Run with the system Python and its PyTorch 1.13 (no trl/transformers; their formulas are restated here
from trl/trainer/dpo_trainer.py, trl/trainer/reward_trainer.py and transformers/optimization.py):

    /usr/bin/python3 scripts/loss_reference.py > src/test/resources/loss/dpo_reference.json

The DPO inputs are made at token level: each completion is a list of per-token log-probs, and
everything TRL derives from tokens (sums, IPO's per-token average, the RPO NLL as the token mean of
the chosen cross-entropy) is computed from those tokens, so the Java side, which only sees sums and
lengths, is checked against an independent path. Gradients come from autograd, in float64.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def tokens(gen, n):
    return -(torch.rand(n, generator=gen) * 3.0 + 0.05)


def make_batch():
    gen = torch.Generator().manual_seed(20240607)
    chosen_len = [7, 12, 3, 9, 15, 5]
    rejected_len = [10, 4, 8, 13, 6, 11]
    # token log-probs of the reference, then the policy = reference + a per-pair shift spread over tokens,
    # so that the log-ratio margins Δ span about −15..+25 (hinge sees both sides of its kink)
    shifts_w = [4.0, -3.0, 9.0, 1.5, -6.0, 14.0]
    shifts_l = [-2.0, 5.0, -8.0, 3.0, -1.0, -9.0]
    b = {"ref_w": [], "ref_l": [], "pol_w": [], "pol_l": []}
    for i in range(len(chosen_len)):
        rw = tokens(gen, chosen_len[i])
        rl = tokens(gen, rejected_len[i])
        noise_w = (torch.rand(chosen_len[i], generator=gen) - 0.5) * 0.4
        noise_l = (torch.rand(rejected_len[i], generator=gen) - 0.5) * 0.4
        b["ref_w"].append(rw)
        b["ref_l"].append(rl)
        b["pol_w"].append(rw + shifts_w[i] / chosen_len[i] + noise_w)
        b["pol_l"].append(rl + shifts_l[i] / rejected_len[i] + noise_l)
    return b, chosen_len, rejected_len


def dpo_case(batch, chosen_len, rejected_len, loss_type, beta=0.1, label_smoothing=0.0, reference_free=False,
             rpo_alpha=0.0, discopop_tau=0.05):
    pol_w = [t.clone().requires_grad_(True) for t in batch["pol_w"]]
    pol_l = [t.clone().requires_grad_(True) for t in batch["pol_l"]]
    ref_w, ref_l = batch["ref_w"], batch["ref_l"]
    if loss_type in ("ipo", "sigmoid_norm"):
        # v0.27: all_logps / loss_mask.sum(-1) for policy and reference alike
        lw = torch.stack([t.mean() for t in pol_w])
        ll = torch.stack([t.mean() for t in pol_l])
        rw = torch.stack([t.mean() for t in ref_w])
        rl = torch.stack([t.mean() for t in ref_l])
    else:
        lw = torch.stack([t.sum() for t in pol_w])
        ll = torch.stack([t.sum() for t in pol_l])
        rw = torch.stack([t.sum() for t in ref_w])
        rl = torch.stack([t.sum() for t in ref_l])
    if reference_free:
        rw = torch.zeros_like(rw)
        rl = torch.zeros_like(rl)
    cw = lw - rw  # chosen log-ratio s_w
    cl = ll - rl
    logits = cw - cl  # Δ
    eps = label_smoothing
    if loss_type == "sigmoid":
        losses = -F.logsigmoid(beta * logits) * (1 - eps) - F.logsigmoid(-beta * logits) * eps
    elif loss_type == "hinge":
        losses = torch.relu(1 - beta * logits)
    elif loss_type == "ipo":
        losses = (logits - 1 / (2 * beta)) ** 2
    elif loss_type == "robust":
        losses = (-F.logsigmoid(beta * logits) * (1 - eps) + F.logsigmoid(-beta * logits) * eps) / (1 - 2 * eps)
    elif loss_type == "exo_pair":
        e = 1e-3 if eps == 0 else eps
        losses = (beta * logits).sigmoid() * (F.logsigmoid(beta * logits) - math.log(1 - e)) \
            + (-beta * logits).sigmoid() * (F.logsigmoid(-beta * logits) - math.log(e))
    elif loss_type == "nca_pair":
        crw, crl = cw * beta, cl * beta
        losses = -F.logsigmoid(crw) - 0.5 * F.logsigmoid(-crw) - 0.5 * F.logsigmoid(-crl)
    elif loss_type == "bco_pair":
        losses = -F.logsigmoid(beta * cw) - F.logsigmoid(-(beta * cl))
    elif loss_type == "sppo_hard":
        losses = (cw - 0.5 / beta) ** 2 + (cl + 0.5 / beta) ** 2
    elif loss_type == "aot":
        a, _ = torch.sort(lw - ll, dim=0)
        c, _ = torch.sort(rw - rl, dim=0)
        d = a - c
        losses = -F.logsigmoid(beta * d) * (1 - eps) - F.logsigmoid(-beta * d) * eps
    elif loss_type == "aot_unpaired":
        a, _ = torch.sort(cw, dim=0)
        c, _ = torch.sort(cl, dim=0)
        d = a - c
        losses = -F.logsigmoid(beta * d) * (1 - eps) - F.logsigmoid(-beta * d) * eps
    elif loss_type == "apo_zero":
        losses = (1 - torch.sigmoid(beta * cw)) + torch.sigmoid(beta * cl)
    elif loss_type == "apo_down":
        losses = torch.sigmoid(beta * cw) + (1 - torch.sigmoid(beta * logits))
    elif loss_type == "discopop":
        z = logits * beta
        m = torch.sigmoid(z / discopop_tau)
        losses = -F.logsigmoid(z) * (1 - m) + torch.exp(-z) * m
    elif loss_type == "sigmoid_norm":
        losses = -F.logsigmoid(beta * logits)
    else:
        raise ValueError(loss_type)
    nll = None
    if rpo_alpha > 0:
        # F.cross_entropy over all chosen completion tokens = mean of −log p over those tokens
        nll = -torch.cat(pol_w).mean()
        losses = losses + rpo_alpha * nll
    loss = losses.mean()
    loss.backward()

    def seq_grad(ts):
        out = []
        for t in ts:
            g = t.grad
            assert torch.allclose(g, g[0].expand_as(g), rtol=0, atol=1e-15), "token gradients differ"
            out.append(g[0].item())
        return out

    # metrics from summed log-probs (TRL HEAD), reference dropped under reference_free
    sw = torch.stack([t.detach().sum() for t in pol_w])
    sl = torch.stack([t.detach().sum() for t in pol_l])
    srw = torch.zeros_like(sw) if reference_free else torch.stack([t.sum() for t in ref_w])
    srl = torch.zeros_like(sl) if reference_free else torch.stack([t.sum() for t in ref_l])
    chosen_rewards = beta * (sw - srw)
    rejected_rewards = beta * (sl - srl)
    metrics = {
        "loss": loss.item(),
        "rewards/chosen": chosen_rewards.mean().item(),
        "rewards/rejected": rejected_rewards.mean().item(),
        "rewards/accuracies": (chosen_rewards > rejected_rewards).double().mean().item(),
        "rewards/margins": (chosen_rewards - rejected_rewards).mean().item(),
        "logps/chosen": sw.mean().item(),
        "logps/rejected": sl.mean().item(),
    }
    if nll is not None:
        metrics["nll_loss"] = nll.item()
    return {
        "loss_type": loss_type, "beta": beta, "label_smoothing": label_smoothing,
        "reference_free": reference_free, "rpo_alpha": rpo_alpha, "discopop_tau": discopop_tau,
        "loss": loss.item(), "losses": losses.detach().tolist(),
        "d_chosen": seq_grad(pol_w), "d_rejected": seq_grad(pol_l), "metrics": metrics,
    }


def dpo_reference():
    batch, cn, rn = make_batch()
    cases = []
    for t in ["sigmoid", "hinge", "ipo", "robust", "exo_pair", "nca_pair", "bco_pair", "sppo_hard", "aot",
              "aot_unpaired", "apo_zero", "apo_down", "discopop", "sigmoid_norm"]:
        cases.append(dpo_case(batch, cn, rn, t))
    cases.append(dpo_case(batch, cn, rn, "sigmoid", label_smoothing=0.1))
    cases.append(dpo_case(batch, cn, rn, "sigmoid", beta=0.5, reference_free=True))
    cases.append(dpo_case(batch, cn, rn, "sigmoid", rpo_alpha=0.5))
    cases.append(dpo_case(batch, cn, rn, "ipo", beta=0.5, rpo_alpha=1.0))
    cases.append(dpo_case(batch, cn, rn, "robust", label_smoothing=0.2))
    cases.append(dpo_case(batch, cn, rn, "exo_pair", label_smoothing=0.1))
    cases.append(dpo_case(batch, cn, rn, "aot", label_smoothing=0.1, beta=0.3))
    cases.append(dpo_case(batch, cn, rn, "aot_unpaired", label_smoothing=0.05))
    cases.append(dpo_case(batch, cn, rn, "discopop", beta=0.05, discopop_tau=0.1))
    cases.append(dpo_case(batch, cn, rn, "hinge", beta=0.05, reference_free=True))
    cases.append(dpo_case(batch, cn, rn, "nca_pair", beta=0.3, reference_free=True))
    inputs = {
        "policy_chosen": [t.sum().item() for t in batch["pol_w"]],
        "policy_rejected": [t.sum().item() for t in batch["pol_l"]],
        "ref_chosen": [t.sum().item() for t in batch["ref_w"]],
        "ref_rejected": [t.sum().item() for t in batch["ref_l"]],
        "chosen_lengths": cn, "rejected_lengths": rn,
    }
    return {"inputs": inputs, "cases": cases}


def bradley_terry_reference():
    rw = torch.tensor([1.2, -0.3, 0.8, 2.5, -1.1], requires_grad=True)
    rl = torch.tensor([0.4, 0.1, 1.0, -0.5, -1.6], requires_grad=True)
    margin = torch.tensor([0.5, 0.0, 1.0, 0.25, 2.0])
    coef = 0.01
    # RewardTrainer.compute_loss
    loss = -F.logsigmoid(rw - rl - margin).mean() + coef * torch.mean((rw + rl) ** 2)
    loss.backward()
    all_r = torch.cat([rw, rl]).detach()
    return {
        "chosen": rw.tolist(), "rejected": rl.tolist(), "margin": margin.tolist(),
        "center_rewards_coefficient": coef, "loss": loss.item(),
        "d_chosen": rw.grad.tolist(), "d_rejected": rl.grad.tolist(),
        "accuracy": (rw > rl).double().mean().item(), "margin_metric": (rw - rl).mean().item(),
        "min_reward": all_r.min().item(), "mean_reward": all_r.mean().item(), "max_reward": all_r.max().item(),
    }


# transformers/optimization.py lambdas
def hf_lambda(kind, step, warmup, total):
    if kind == "constant":
        return 1.0
    if kind == "constant_with_warmup":
        if step < warmup:
            return float(step) / float(max(1.0, warmup))
        return 1.0
    if step < warmup:
        return float(step) / float(max(1, warmup))
    if kind == "linear":
        return max(0.0, float(total - step) / float(max(1, total - warmup)))
    if kind == "cosine":
        progress = float(step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(0.5) * 2.0 * progress)))
    raise ValueError(kind)


def schedules_reference():
    total, ratio, lr = 10, 0.25, 3e-4
    warmup = math.ceil(total * ratio)  # TrainingArguments.get_warmup_steps
    out = {"total_steps": total, "warmup_ratio": ratio, "warmup_steps": warmup, "learning_rate": lr, "lr": {}}
    for kind in ["constant", "constant_with_warmup", "linear", "cosine"]:
        w = 0 if kind == "constant" else warmup
        out["lr"][kind] = [lr * hf_lambda(kind, k, w, total) for k in range(total + 2)]
    return out


def adamw_reference():
    gen = torch.Generator().manual_seed(7)
    specs = [("wte.weight", [2, 37], True), ("h.0.attn.c_attn.weight", [3, 5], True),
             ("h.0.attn.c_attn.bias", [5], False), ("ln_f.weight", [4], False), ("frozen.weight", [3], None)]
    params = {}
    for name, shape, _ in specs:
        params[name] = (torch.rand(shape, generator=gen, dtype=torch.float32) * 2 - 1)
    initial = {k: v.flatten().tolist() for k, v in params.items()}
    tensors = {k: v.clone().requires_grad_(specs_decay is not None)
               for (k, v), (_, _, specs_decay) in zip(params.items(), specs)}
    decay = [tensors[n] for n, _, d in specs if d is True]
    no_decay = [tensors[n] for n, _, d in specs if d is False]
    lr, wd, total, ratio = 1e-2, 0.1, 10, 0.2
    warmup = math.ceil(total * ratio)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: hf_lambda("linear", k, warmup, total))
    steps, grads, lrs, after3 = 5, [], [], None
    for s in range(steps):
        step_grads = {}
        for name, shape, d in specs:
            if d is None:
                continue
            g = torch.randn(shape, generator=gen, dtype=torch.float32) * (0.5 + s)
            tensors[name].grad = g.clone()
            step_grads[name] = g.flatten().tolist()
        grads.append(step_grads)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        if s == 2:
            after3 = {"params": {k: t.detach().flatten().tolist() for k, t in tensors.items()},
                      "exp_avg": {n: opt.state[tensors[n]]["exp_avg"].flatten().tolist() for n, _, d in specs if d is not None},
                      "exp_avg_sq": {n: opt.state[tensors[n]]["exp_avg_sq"].flatten().tolist() for n, _, d in specs if d is not None}}
    final = {"params": {k: t.detach().flatten().tolist() for k, t in tensors.items()},
             "exp_avg": {n: opt.state[tensors[n]]["exp_avg"].flatten().tolist() for n, _, d in specs if d is not None},
             "exp_avg_sq": {n: opt.state[tensors[n]]["exp_avg_sq"].flatten().tolist() for n, _, d in specs if d is not None}}
    # clip_grad_norm_ on the last step's gradients
    clips = []
    for max_norm in [1.0, 1000.0]:
        ts = [torch.tensor(grads[-1][n], dtype=torch.float32) for n, _, d in specs if d is not None]
        for t in ts:
            t.requires_grad_(True)
            t.grad = t.detach().clone()
        norm = torch.nn.utils.clip_grad_norm_(ts, max_norm)
        clips.append({"max_norm": max_norm, "norm": norm.item(), "grads": [t.grad.tolist() for t in ts]})
    return {
        "specs": [{"name": n, "shape": s, "decay": d} for n, s, d in specs],
        "learning_rate": lr, "weight_decay": wd, "total_steps": total, "warmup_ratio": ratio,
        "initial": initial, "grads": grads, "lrs": lrs, "after_step_3": after3, "final": final, "clip": clips,
    }


if __name__ == "__main__":
    out = {"torch_version": torch.__version__, "dpo": dpo_reference(), "bradley_terry": bradley_terry_reference(),
           "schedules": schedules_reference(), "adamw": adamw_reference()}
    print(json.dumps(out, indent=1))
