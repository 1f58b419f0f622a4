#!/usr/bin/python3
"""Reference numbers for align4j's Plackett–Luce losses (loss/PlackettLuceDpoLoss.java, PlackettLuceRewardLoss.java).

Run with the system Python and PyTorch:

    /usr/bin/python3 scripts/plackett_luce_reference.py > src/test/resources/loss/plackett_luce_reference.json

The formula is restated from the DPO paper (Rafailov et al. 2023, arXiv 2305.18290, Appendix A.3, eq. 20) as a
product of softmaxes, the independent path: p(τ) = Π_k exp(u_τ(k)) / Σ_{j≥k} exp(u_τ(j)), computed with
torch.logsumexp over each suffix; u = β(logπ − logπ_ref) for DPO, u = the reward model's scores for `reward`
(plus center_rewards_coefficient · mean((Σ_k r_k)²)). Rankings are ties-free; each list is given best first.
Gradients come from autograd in float64, with respect to each completion's summed log-prob (or score).
"""
import json

import torch

torch.set_default_dtype(torch.float64)


def pl_nll(u):
    """−log p(τ) of utilities u, best first."""
    k = u.shape[0]
    return sum(torch.logsumexp(u[j:], 0) - u[j] for j in range(k))


def make_lists(gen, k, n):
    policy = [-(torch.rand(k, generator=gen) * 30 + 1) for _ in range(n)]
    ref = [-(torch.rand(k, generator=gen) * 30 + 1) for _ in range(n)]
    return policy, ref


def dpo_case(policy, ref, beta, reference_free):
    leaves = [p.clone().requires_grad_(True) for p in policy]
    losses = []
    for p, r in zip(leaves, ref):
        s = p - (0 if reference_free else r)
        losses.append(pl_nll(beta * s))
    loss = torch.stack(losses).mean()
    loss.backward()
    return {
        "beta": beta,
        "reference_free": reference_free,
        "policy": [p.tolist() for p in policy],
        "ref": [r.tolist() for r in ref],
        "loss": loss.item(),
        "losses": [l.item() for l in losses],
        "grad": [p.grad.tolist() for p in leaves],
    }


def reward_case(scores, center):
    leaves = [s.clone().requires_grad_(True) for s in scores]
    nll = torch.stack([pl_nll(s) for s in leaves]).mean()
    loss = nll + center * torch.stack([s.sum() ** 2 for s in leaves]).mean()
    loss.backward()
    return {
        "center_rewards_coefficient": center,
        "scores": [s.tolist() for s in scores],
        "loss": loss.item(),
        "grad": [s.grad.tolist() for s in leaves],
    }


def main():
    gen = torch.Generator().manual_seed(20230529)
    dpo, reward = [], []
    for k in (2, 3, 4):
        policy, ref = make_lists(gen, k, 5)
        for beta, free in ((0.1, False), (0.5, False), (0.1, True)):
            dpo.append(dict(dpo_case(policy, ref, beta, free), k=k))
        scores = [torch.randn(k, generator=gen) * 2 for _ in range(5)]
        for center in (0.0, 0.01):
            reward.append(dict(reward_case(scores, center), k=k))
    print(json.dumps({"dpo": dpo, "reward": reward}, indent=1))


if __name__ == "__main__":
    main()
