#!/usr/bin/python3
"""Reference numbers for align4j's ORPO and CPO/SimPO losses (loss/OrpoLoss.java, loss/CpoLoss.java).

Run with the system Python and PyTorch (Debian's python3-torch; no trl: the formulas are restated from
trl/experimental/orpo/orpo_trainer.py and trl/experimental/cpo/cpo_trainer.py):

    /usr/bin/python3 scripts/orpo_cpo_reference.py > src/test/resources/loss/orpo_cpo_reference.json

The inputs are per-token log-probs: each pair has scored prompt tokens (every prompt token after the first, which
TRL's ORPO NLL covers), chosen and rejected completion tokens. Everything TRL derives from tokens (the averaged
log-probs of ORPO, IPO and SimPO, the NLL as one cross-entropy over the flattened chosen sequences) is computed
from those tokens here, so the Java side, which sees only sums and counts, is checked against an independent
path. Gradients come from autograd in float64, per token; within one sequence they must all be equal.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def make_batch():
    gen = torch.Generator().manual_seed(20240322)
    prompt_len = [4, 0, 6, 2, 9, 3, 5]       # scored prompt tokens (prompt length − 1)
    chosen_len = [7, 12, 1, 9, 15, 5, 3]
    rejected_len = [10, 4, 8, 13, 6, 1, 11]
    # per-token scale: the averaged log-probs range from about −0.03 (probability near 1, where log(1 − e^a) is
    # steep) to about −2.5, on both sides of −ln 2, and the margins take both signs
    scale_w = [0.3, 1.5, 0.03, 0.6, 2.4, 0.08, 1.1]
    scale_l = [1.2, 0.4, 2.0, 0.05, 0.9, 2.6, 0.7]

    def tokens(n, scale):
        return -(torch.rand(n, generator=gen) * scale + 0.01 * scale + 1e-3)

    b = {"prompt": [], "chosen": [], "rejected": []}
    for i in range(len(chosen_len)):
        b["prompt"].append(tokens(prompt_len[i], 1.5))
        b["chosen"].append(tokens(chosen_len[i], scale_w[i]))
        b["rejected"].append(tokens(rejected_len[i], scale_l[i]))
    return b


def leaves(b):
    return {k: [t.clone().requires_grad_(True) for t in v] for k, v in b.items()}


def seq_grads(ts):
    out = []
    for t in ts:
        if t.numel() == 0:
            out.append(0.0)
            continue
        g = t.grad if t.grad is not None else torch.zeros_like(t)
        assert torch.allclose(g, g[0].expand_as(g), rtol=0, atol=1e-15), "token gradients differ"
        out.append(g[0].item())
    return out


def reward_metrics(beta, xw, xl):
    rw, rl = beta * xw.detach(), beta * xl.detach()
    return {
        "rewards/chosen": rw.mean().item(),
        "rewards/rejected": rl.mean().item(),
        "rewards/accuracies": (rw > rl).double().mean().item(),
        "rewards/margins": (rw - rl).mean().item(),
        "logps/rejected": xl.detach().mean().item(),
        "logps/chosen": xw.detach().mean().item(),
    }


def orpo_case(batch, beta):
    """ORPOTrainer: average_log_prob=True, the NLL over prompt and chosen completion, loss = nll − mean(β·log σ(LO))."""
    x = leaves(batch)
    aw = torch.stack([t.mean() for t in x["chosen"]])
    al = torch.stack([t.mean() for t in x["rejected"]])
    # odds_ratio_loss (v0.8's spelling of log(1 − e^a); float64 keeps it accurate here)
    log_odds = (aw - al) - (torch.log1p(-torch.exp(aw)) - torch.log1p(-torch.exp(al)))
    ratio = F.logsigmoid(log_odds)
    losses = beta * ratio
    # cross_entropy over the flattened chosen sequences (prompt + completion, padding masked) = the token mean
    nll = -torch.cat([torch.cat([p, c]) for p, c in zip(x["prompt"], x["chosen"])]).mean()
    loss = nll - losses.mean()
    loss.backward()
    metrics = {"loss": loss.item(), **reward_metrics(beta, aw, al), "nll_loss": nll.item(),
               "log_odds_ratio": ratio.mean().item(), "log_odds_chosen": log_odds.mean().item()}
    return {"beta": beta, "loss": loss.item(), "losses": (nll - losses).detach().tolist(),
            "d_chosen": seq_grads(x["chosen"]), "d_rejected": seq_grads(x["rejected"]),
            "d_prompt": seq_grads(x["prompt"]), "metrics": metrics}


def cpo_case(batch, loss_type, beta=0.1, label_smoothing=0.0, simpo_gamma=0.5, cpo_alpha=1.0):
    """CPOTrainer.cpo_loss and get_batch_loss_metrics; the NLL over the chosen completion tokens (labels mask the prompt)."""
    x = leaves(batch)
    avg = loss_type in ["ipo", "simpo"]
    xw = torch.stack([t.mean() if avg else t.sum() for t in x["chosen"]])
    xl = torch.stack([t.mean() if avg else t.sum() for t in x["rejected"]])
    logits = xw - xl
    eps = label_smoothing
    if loss_type == "simpo":
        gamma_logratios = simpo_gamma / beta
        logits = logits - gamma_logratios
        losses = -F.logsigmoid(beta * logits) * (1 - eps) - F.logsigmoid(-beta * logits) * eps
        # the paper's form, −log σ(β(x_w − x_l) − γ), at ε = 0
        if eps == 0:
            paper = -F.logsigmoid(beta * (xw - xl) - simpo_gamma)
            assert torch.allclose(losses, paper, rtol=1e-12, atol=0)
    elif loss_type == "sigmoid":
        losses = -F.logsigmoid(beta * logits) * (1 - eps) - F.logsigmoid(-beta * logits) * eps
    elif loss_type == "hinge":
        losses = torch.relu(1 - beta * logits)
    elif loss_type == "ipo":
        losses = (logits - 1 / (2 * beta)) ** 2
    else:
        raise ValueError(loss_type)
    if cpo_alpha == 0:
        nll = torch.tensor(0.0)
    else:
        nll = -torch.cat(x["chosen"]).mean()
    loss = losses.mean() + cpo_alpha * nll
    loss.backward()
    metrics = {"loss": loss.item(), **reward_metrics(beta, xw, xl), "nll_loss": nll.item()}
    return {"loss_type": loss_type, "beta": beta, "label_smoothing": label_smoothing, "simpo_gamma": simpo_gamma,
            "cpo_alpha": cpo_alpha, "loss": loss.item(), "losses": (losses + cpo_alpha * nll).detach().tolist(),
            "d_chosen": seq_grads(x["chosen"]), "d_rejected": seq_grads(x["rejected"]), "metrics": metrics}


def main():
    batch = make_batch()
    inputs = {
        "policy_chosen": [t.sum().item() for t in batch["chosen"]],
        "policy_rejected": [t.sum().item() for t in batch["rejected"]],
        "chosen_lengths": [t.numel() for t in batch["chosen"]],
        "rejected_lengths": [t.numel() for t in batch["rejected"]],
        "prompt_logps": [t.sum().item() for t in batch["prompt"]],
        "prompt_tokens": [t.numel() for t in batch["prompt"]],
    }
    orpo = [orpo_case(batch, 0.1), orpo_case(batch, 0.5), orpo_case(batch, 0.0)]
    cpo = [
        cpo_case(batch, "sigmoid"),
        cpo_case(batch, "sigmoid", beta=0.3, label_smoothing=0.2, cpo_alpha=0.5),
        cpo_case(batch, "hinge"),
        cpo_case(batch, "hinge", beta=0.5, cpo_alpha=0.0),
        cpo_case(batch, "ipo"),
        cpo_case(batch, "ipo", beta=2.0, cpo_alpha=0.3),
        cpo_case(batch, "simpo", beta=2.0, simpo_gamma=0.5, cpo_alpha=0.0),
        cpo_case(batch, "simpo"),
        cpo_case(batch, "simpo", beta=2.5, simpo_gamma=1.4, label_smoothing=0.1, cpo_alpha=0.05),
    ]
    out = {"torch_version": torch.__version__, "inputs": inputs, "orpo": orpo, "cpo": cpo}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
