#!/usr/bin/env bash
# Rebuilds the bf16 kernels' library (src/main/c/bf16_gemm.c) into the resources the jar ships.
# The built file is committed, so neither a build nor a user needs a C compiler; run this after
# changing the C source (needs gcc ≥ 11 for the AVX512-BF16 intrinsics) and commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/main/resources/align4j/native/linux-x86_64
mkdir -p "$out"
# -O3: the micro-kernel's 28 accumulators stay in registers (check: objdump -d shows no stack use in tile);
# no libc beyond the dynamic loader's needs; the kernels carry their own target attributes.
gcc -O3 -fPIC -shared -Wall -Wextra -Werror -fno-asynchronous-unwind-tables -s \
    -o "$out/libalign4j_bf16.so" src/main/c/bf16_gemm.c
ls -l "$out/libalign4j_bf16.so"
