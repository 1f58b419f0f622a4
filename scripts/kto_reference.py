#!/usr/bin/python3
"""Reference numbers for align4j's KTO loss (loss/KtoLoss.java).

Run with the system Python and PyTorch (no trl: the formulas are restated from trl/trainer/kto_trainer.py,
`kto_loss` and `get_batch_loss_metrics`):

    /usr/bin/python3 scripts/kto_reference.py > src/test/resources/loss/kto_reference.json

The inputs are per-token log-probs of each example's completion and of its mismatched (KL) pair under the policy,
and summed log-probs under the reference. As in TRL, the batch is split by label into chosen (desirable) and
rejected indices, the KL term is the detached batch mean of the KL pairs' log-ratios clamped at 0, the losses of
both sides are concatenated and averaged. Gradients come from autograd in float64, per token; within one sequence
they must all be equal (and zero on the KL pairs, which TRL runs under no_grad and detaches).
"""
import json

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def make_batch(seed, kl_shift):
    gen = torch.Generator().manual_seed(seed)
    labels = [True, False, True, True, False, False, True, False, True]
    lengths = [5, 9, 1, 12, 4, 7, 3, 10, 6]
    kl_lengths = [lengths[-1]] + lengths[:-1]  # the completion of the previous example, as TRL's +1 offset

    def tokens(n):
        return -(torch.rand(n, generator=gen) * 1.8 + 0.05)

    policy = [tokens(n) for n in lengths]
    policy_kl = [tokens(n) for n in kl_lengths]
    # reference sums near the policy's, so that the log-ratios take both signs and β·r spans the sigmoid
    reference = [(p.sum() + (torch.rand(1, generator=gen).item() - 0.5) * 12.0).item() for p in policy]
    reference_kl = [(p.sum() + (torch.rand(1, generator=gen).item() - 0.5) * 4.0 + kl_shift).item() for p in policy_kl]
    return {"labels": labels, "policy": policy, "policy_kl": policy_kl, "reference": reference,
            "reference_kl": reference_kl}


def seq_grads(ts):
    out = []
    for t in ts:
        g = t.grad if t.grad is not None else torch.zeros_like(t)
        assert torch.allclose(g, g[0].expand_as(g), rtol=0, atol=1e-15), "token gradients differ"
        out.append(g[0].item())
    return out


def kto_case(b, loss_type, beta, desirable_weight, undesirable_weight):
    policy = [t.clone().requires_grad_(True) for t in b["policy"]]
    policy_kl = [t.clone().requires_grad_(True) for t in b["policy_kl"]]
    completion_logps = torch.stack([t.sum() for t in policy])
    reference_logps = torch.tensor(b["reference"])
    chosen_idx = [i for i, l in enumerate(b["labels"]) if l is True]
    rejected_idx = [i for i, l in enumerate(b["labels"]) if l is False]
    policy_chosen_logps = completion_logps[chosen_idx, ...]
    policy_rejected_logps = completion_logps[rejected_idx, ...]
    reference_chosen_logps = reference_logps[chosen_idx, ...]
    reference_rejected_logps = reference_logps[rejected_idx, ...]

    calculate_kl = loss_type != "apo_zero_unpaired"
    if calculate_kl:
        with torch.no_grad():
            policy_kl_logps = torch.stack([t.sum() for t in policy_kl])
        kl = (policy_kl_logps - torch.tensor(b["reference_kl"])).mean().detach()
        kl = kl.mean().clamp(min=0)
    else:
        kl = torch.zeros(1)

    chosen_logratios = policy_chosen_logps - reference_chosen_logps
    if loss_type == "kto":
        chosen_losses = 1 - F.sigmoid(beta * (chosen_logratios - kl))
    else:
        chosen_losses = 1 - F.sigmoid(beta * chosen_logratios)
    chosen_rewards = beta * chosen_logratios.detach()

    rejected_logratios = policy_rejected_logps - reference_rejected_logps
    if loss_type == "kto":
        rejected_losses = 1 - F.sigmoid(beta * (kl - rejected_logratios))
    else:
        rejected_losses = F.sigmoid(beta * rejected_logratios)
    rejected_rewards = beta * rejected_logratios.detach()

    losses = torch.cat((desirable_weight * chosen_losses, undesirable_weight * rejected_losses), 0)
    loss = losses.nanmean()
    loss.backward()

    per_example = [0.0] * len(b["labels"])
    for k, i in enumerate(chosen_idx + rejected_idx):
        per_example[i] = losses[k].item()
    metrics = {"kl": kl.item()}
    if len(chosen_idx) > 0:
        metrics["rewards/chosen_sum"] = chosen_rewards.nansum().item()
        metrics["logps/chosen_sum"] = policy_chosen_logps.detach().nansum().item()
        metrics["count/chosen"] = float(len(chosen_idx))
    if len(rejected_idx) > 0:
        metrics["rewards/rejected_sum"] = rejected_rewards.nansum().item()
        metrics["logps/rejected_sum"] = policy_rejected_logps.detach().nansum().item()
        metrics["count/rejected"] = float(len(rejected_idx))
    kl_grads = seq_grads(policy_kl)
    assert all(g == 0.0 for g in kl_grads), "the KL pairs must get no gradient"
    return {
        "loss_type": loss_type, "beta": beta, "desirable_weight": desirable_weight,
        "undesirable_weight": undesirable_weight,
        "loss": loss.item(), "losses": per_example, "d_policy": seq_grads(policy), "metrics": metrics,
    }


def inputs_json(b):
    return {
        "labels": b["labels"],
        "policy": [t.sum().item() for t in b["policy"]],
        "reference": b["reference"],
        "policy_kl": [t.sum().item() for t in b["policy_kl"]],
        "reference_kl": b["reference_kl"],
    }


def main():
    batches = {"kl_positive": make_batch(20240201, -2.5), "kl_negative": make_batch(20240202, 3.0)}
    cases = []
    for name, b in batches.items():
        for loss_type, beta, wd, wu in [("kto", 0.1, 1.0, 1.0), ("kto", 0.5, 1.33, 0.7), ("kto", 2.0, 1.0, 1.0),
                                        ("apo_zero_unpaired", 0.1, 1.0, 1.0), ("apo_zero_unpaired", 0.8, 0.5, 1.5)]:
            c = kto_case(b, loss_type, beta, wd, wu)
            c["batch"] = name
            cases.append(c)
    print(json.dumps({"inputs": {k: inputs_json(b) for k, b in batches.items()}, "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
