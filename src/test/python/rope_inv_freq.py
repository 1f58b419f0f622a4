"""Reference inverse frequencies for RopeTest, computed as Hugging Face transformers'
modeling_rope_utils does (_compute_default_rope_parameters, _compute_linear_scaling_rope_parameters,
_compute_llama3_parameters; the bodies below are copied from transformers 4.46 with the config
lookups replaced by arguments). Run with /usr/bin/python3 (PyTorch); output is pasted into RopeTest."""
import math
import torch


def default_inv_freq(base, dim):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def llama3_inv_freq(base, dim, factor, low_freq_factor, high_freq_factor, old_context_len):
    inv_freq = default_inv_freq(base, dim)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def show(name, t):
    print(name, ", ".join("%.9ef" % v for v in t.tolist()))


torch.set_printoptions(precision=10)
# Llama 3.2 1B: head_dim 64, rope_theta 500000, rope_scaling llama3 (32, 1, 4, 8192)
show("llama3 D=64", llama3_inv_freq(500000.0, 64, 32.0, 1.0, 4.0, 8192))
show("default D=64 theta=500000", default_inv_freq(500000.0, 64))
show("default D=16 theta=10000", default_inv_freq(10000.0, 16))
show("linear(4) D=16 theta=10000", default_inv_freq(10000.0, 16) / 4.0)
