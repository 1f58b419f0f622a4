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


def trl_losses(loss_type, beta, eps, lw, ll, rw, rl, sw, sl, cn, rn, discopop_tau):
    """Per-pair losses of TRL's loss types. lw, ll, rw, rl: the summed log-probs; sw, sl: the scores that replace
    the log-ratios (the log-ratios themselves without an f-divergence); cn, rn: the lengths ipo and sigmoid_norm
    divide by. aot, aot_unpaired, apo_zero and apo_down's chosen term read the log-ratios, as TRL HEAD does."""
    cw, cl = lw - rw, ll - rl
    delta = sw - sl
    if loss_type == "sigmoid":
        return -F.logsigmoid(beta * delta) * (1 - eps) - F.logsigmoid(-beta * delta) * eps
    if loss_type == "hinge":
        return torch.relu(1 - beta * delta)
    if loss_type == "ipo":
        return (sw / cn - sl / rn - 1 / (2 * beta)) ** 2
    if loss_type == "robust":
        return (-F.logsigmoid(beta * delta) * (1 - eps) + F.logsigmoid(-beta * delta) * eps) / (1 - 2 * eps)
    if loss_type == "exo_pair":
        e = 1e-3 if eps == 0 else eps
        return (beta * delta).sigmoid() * (F.logsigmoid(beta * delta) - math.log1p(-e)) \
            + (-beta * delta).sigmoid() * (F.logsigmoid(-beta * delta) - math.log(e))
    if loss_type == "nca_pair":
        return -F.logsigmoid(beta * sw) - 0.5 * F.logsigmoid(-beta * sw) - 0.5 * F.logsigmoid(-beta * sl)
    if loss_type == "bco_pair":
        return -F.logsigmoid(beta * sw) - F.logsigmoid(-(beta * sl))
    if loss_type == "sppo_hard":
        return (sw - 0.5 / beta) ** 2 + (sl + 0.5 / beta) ** 2
    if loss_type in ("aot", "aot_unpaired"):
        if loss_type == "aot":
            a, _ = torch.sort(lw - ll, dim=0)
            c, _ = torch.sort(rw - rl, dim=0)
        else:
            a, _ = torch.sort(cw, dim=0)
            c, _ = torch.sort(cl, dim=0)
        d = a - c
        return -F.logsigmoid(beta * d) * (1 - eps) - F.logsigmoid(-beta * d) * eps
    if loss_type == "apo_zero":
        return (1 - torch.sigmoid(beta * cw)) + torch.sigmoid(beta * cl)
    if loss_type == "apo_down":
        return torch.sigmoid(beta * cw) + (1 - torch.sigmoid(beta * delta))
    if loss_type == "discopop":
        z = delta * beta
        m = torch.sigmoid(z / discopop_tau)
        return -F.logsigmoid(z) * (1 - m) + torch.exp(-z) * m
    if loss_type == "sigmoid_norm":
        return -F.logsigmoid(beta * (sw / cn - sl / rn))
    raise ValueError(loss_type)


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
    ones = torch.ones(len(pol_w))  # ipo and sigmoid_norm averaged the log-probs above, as v0.27 did
    losses = trl_losses(loss_type, beta, label_smoothing, lw, ll, rw, rl, cw, cl, ones, ones, discopop_tau)
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


def head_case(batch, chosen_len, rejected_len, loss_types, loss_weights=None, beta=0.1, label_smoothing=0.0,
              f_divergence_type="reverse_kl", f_alpha=0.5, ld_alpha=None, pair_weights=None, discopop_tau=0.05):
    """TRL HEAD's _compute_loss restated over per-token log-probs: loss_type lists with loss_weights (MPO),
    f_divergence_type scores, LD-DPO's ld_alpha (policy and reference, the first min(|y_w|, |y_l|) completion
    tokens at weight 1, the rest at ld_alpha) and WPO's per-pair weights (given here as constants; the weights
    themselves are checked from logits in lmhead_reference). Gradients per token, from autograd."""
    pol_w = [t.clone().requires_grad_(True) for t in batch["pol_w"]]
    pol_l = [t.clone().requires_grad_(True) for t in batch["pol_l"]]
    ref_w, ref_l = batch["ref_w"], batch["ref_l"]
    n = len(pol_w)

    def seq_sum(t, shared):
        if ld_alpha is None:
            return t.sum()
        return t[:shared].sum() + ld_alpha * t[shared:].sum()

    shared = [min(chosen_len[i], rejected_len[i]) for i in range(n)]
    lw = torch.stack([seq_sum(pol_w[i], shared[i]) for i in range(n)])
    ll = torch.stack([seq_sum(pol_l[i], shared[i]) for i in range(n)])
    rw = torch.stack([seq_sum(ref_w[i], shared[i]) for i in range(n)])
    rl = torch.stack([seq_sum(ref_l[i], shared[i]) for i in range(n)])
    cw, cl = lw - rw, ll - rl
    if f_divergence_type == "reverse_kl":
        sw, sl = cw, cl
    elif f_divergence_type == "forward_kl":
        sw, sl = -torch.exp(-cw), -torch.exp(-cl)
    elif f_divergence_type == "js_divergence":
        sw, sl = F.logsigmoid(cw), F.logsigmoid(cl)
    elif f_divergence_type == "alpha_divergence":
        coef = 1.0 / (f_alpha - 1.0)
        sw = torch.exp(torch.clamp((f_alpha - 1.0) * cw, max=80.0)) * coef
        sl = torch.exp(torch.clamp((f_alpha - 1.0) * cl, max=80.0)) * coef
    else:
        raise ValueError(f_divergence_type)
    eps = label_smoothing
    weights = loss_weights if loss_weights is not None else [1.0] * len(loss_types)
    w_pair = torch.tensor(pair_weights) if pair_weights is not None else None
    loss = 0.0
    nll = -torch.cat(pol_w).mean()
    per_pair = torch.zeros(n)
    for lt, lw_k in zip(loss_types, weights):
        if lt == "sft":
            losses = nll.expand(n)
        else:
            # HEAD's sigmoid has no label smoothing; align4j keeps v0.27's cDPO, so only ε = 0 is compared here
            assert lt != "sigmoid" or eps == 0
            cwl = torch.tensor(chosen_len, dtype=torch.float64).clamp(min=1.0)
            rwl = torch.tensor(rejected_len, dtype=torch.float64).clamp(min=1.0)
            losses = trl_losses(lt, beta, eps, lw, ll, rw, rl, sw, sl, cwl, rwl, discopop_tau)
        if w_pair is not None:
            losses = losses * w_pair
        per_pair = per_pair + lw_k * losses.detach()
        loss = loss + losses.mean() * lw_k
    loss.backward()
    metrics = {
        "loss": loss.item(),
        "rewards/chosen": (beta * cw).mean().item(),
        "rewards/rejected": (beta * cl).mean().item(),
        "rewards/accuracies": (beta * cw > beta * cl).double().mean().item(),
        "rewards/margins": (beta * cw - beta * cl).mean().item(),
        "logps/chosen": lw.mean().item(),
        "logps/rejected": ll.mean().item(),
    }
    if "sft" in loss_types:
        metrics["nll_loss"] = nll.item()
    return {
        "loss_types": loss_types, "loss_weights": weights, "beta": beta, "label_smoothing": label_smoothing,
        "f_divergence_type": f_divergence_type, "f_alpha": f_alpha, "ld_alpha": ld_alpha,
        "pair_weights": pair_weights, "discopop_tau": discopop_tau,
        "policy_chosen": lw.detach().tolist(), "policy_rejected": ll.detach().tolist(),
        "ref_chosen": rw.tolist(), "ref_rejected": rl.tolist(),
        "chosen_plain": [t.detach().sum().item() for t in pol_w],
        "loss": loss.item(), "losses": per_pair.tolist(),
        "token_grads_chosen": [(t.grad if t.grad is not None else torch.zeros_like(t)).tolist() for t in pol_w],
        "token_grads_rejected": [(t.grad if t.grad is not None else torch.zeros_like(t)).tolist() for t in pol_l],
        "metrics": metrics,
    }


def head_reference():
    batch, cn, rn = make_batch()
    w = [0.7, 1.3, 0.25, 2.1, 0.9, 1.05]
    cases = []
    for f in ["forward_kl", "js_divergence", "alpha_divergence"]:
        for t in ["sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
                  "aot_unpaired", "apo_zero", "apo_down", "discopop"]:
            cases.append(head_case(batch, cn, rn, [t], f_divergence_type=f, label_smoothing=0.1 if t == "robust" else 0.0))
    cases.append(head_case(batch, cn, rn, ["sigmoid"], f_divergence_type="alpha_divergence", f_alpha=0.2))
    cases.append(head_case(batch, cn, rn, ["sigmoid"], f_divergence_type="alpha_divergence", f_alpha=1.0 + 1e-9))
    cases.append(head_case(batch, cn, rn, ["sigmoid"], f_divergence_type="alpha_divergence", f_alpha=30.0, beta=0.5))
    cases.append(head_case(batch, cn, rn, ["sigmoid", "bco_pair", "sft"], [0.8, 0.2, 1.0]))
    cases.append(head_case(batch, cn, rn, ["ipo", "sft"], [1.0, 0.5], beta=0.5))
    cases.append(head_case(batch, cn, rn, ["sft"]))
    cases.append(head_case(batch, cn, rn, ["sigmoid"], ld_alpha=0.5))
    cases.append(head_case(batch, cn, rn, ["sigmoid", "sft"], [1.0, 0.3], ld_alpha=0.25))
    cases.append(head_case(batch, cn, rn, ["ipo"], ld_alpha=0.0, beta=0.3))
    cases.append(head_case(batch, cn, rn, ["sigmoid"], pair_weights=w))
    cases.append(head_case(batch, cn, rn, ["sigmoid", "apo_zero", "sft"], [0.5, 0.5, 0.2], pair_weights=w,
                           f_divergence_type="js_divergence", ld_alpha=0.6))
    return {"chosen_lengths": cn, "rejected_lengths": rn, "cases": cases}


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
    out = {"torch_version": torch.__version__, "dpo": dpo_reference(), "dpo_head": head_reference(), "bradley_terry": bradley_terry_reference(),
           "schedules": schedules_reference(), "adamw": adamw_reference()}
    print(json.dumps(out, indent=1))
