/*
 * align4j's bf16 matrix-product kernels (--bf16): C[M,N] (+)= A[M,K]·B[K,N] with A and B rounded to
 * bfloat16 (round to nearest even, VCVTNE2PS2BF16) and every product accumulated in FP32 by AVX512-BF16's
 * VDPBF16PS, which multiplies two bf16 pairs per 32-bit lane exactly and adds them to an FP32 lane:
 * 32 multiply-adds per instruction against 16 for an FP32 FMA, at the same issue rate on Zen 4/5 and
 * Cooper Lake / Sapphire Rapids (measured here: 504 vs 256 GFLOP/s on one Zen 5 core).
 *
 * The blocking is the Java engine's (tensor/Gemm.java, GotoBLAS/BLIS); the Java driver (Bf16Gemm.java)
 * splits the work among threads and calls, per block, one packing function and one macro-kernel here.
 * Packed layouts, with kp = k/2 the index of a pair and kcp = ceil(kc/2) pairs in a block:
 *   A panel q (MR = 14 rows):    pa[(q·kcp + kp)·14 + r] = (A[r, 2kp], A[r, 2kp+1])
 *   B panel t (NR = 32 columns): pb[(t·kcp + kp)·32 + j] = (B[2kp, j], B[2kp+1, j])
 * each pair one uint32 with the even k in its low half, which is the element order VDPBF16PS pairs up.
 * Past the edge of A, B or K the panels hold zeros.
 *
 * Each C element sums its pairs in order kp = 0, 1, … (one VDPBF16PS each, blocks of K in order), so the
 * result does not depend on how the Java side splits rows or columns among threads.
 *
 * Built by scripts/build_native.sh into src/main/resources/align4j/native/linux-x86_64/; the kernels carry
 * their own target attributes so that a4j_bf16_supported() runs on any x86-64.
 */
#include <immintrin.h>
#include <stdint.h>
#include <cpuid.h>

#define MR 14
#define NR 32
#define KERNEL __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

/* 1 when the CPU has AVX512-F/BW and AVX512-BF16 and the OS saves the zmm registers, else 0. */
int a4j_bf16_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;     /* OSXSAVE */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;                                       /* xmm, ymm, opmask, zmm state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (!(b & (1u << 16)) || !(b & (1u << 30))) return 0;                   /* AVX512F, AVX512BW */
    __get_cpuid_count(7, 1, &a, &b, &c, &d);
    return (a >> 5) & 1;                                                     /* AVX512_BF16 */
}

/* Interleaves the two 16-element halves of v: [v0, v16, v1, v17, …] (lo row, hi row → 16 pairs). */
KERNEL static inline __m512i interleave(__m512i v) {
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                         23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(idx, v);
}

/* 16 pairs from two rows of 16 floats (masked to n): lane i = (lo[i], hi[i]). */
KERNEL static inline __m512i pairs_rows_f32(const float *lo, const float *hi, __mmask16 m) {
    __m512 l = _mm512_maskz_loadu_ps(m, lo);
    __m512 h = hi ? _mm512_maskz_loadu_ps(m, hi) : _mm512_setzero_ps();
    return interleave((__m512i) _mm512_cvtne2ps_pbh(h, l));
}

KERNEL static inline __m512i pairs_rows_bf16(const uint16_t *lo, const uint16_t *hi, __mmask16 m) {
    __m256i l = _mm256_maskz_loadu_epi16(m, lo);
    __m256i h = hi ? _mm256_maskz_loadu_epi16(m, hi) : _mm256_setzero_si256();
    return interleave(_mm512_inserti64x4(_mm512_castsi256_si512(l), h, 1));
}

/* 16 pairs from 32 consecutive floats (masked to n ≤ 32): lane i = (x[2i], x[2i+1]). */
KERNEL static inline __m512i pairs_run_f32(const float *x, int n) {
    __mmask16 m0 = n >= 16 ? 0xffff : (__mmask16) ((1u << (n > 0 ? n : 0)) - 1);
    int n1 = n - 16;
    __mmask16 m1 = n1 >= 16 ? 0xffff : (__mmask16) ((1u << (n1 > 0 ? n1 : 0)) - 1);
    __m512 a = _mm512_maskz_loadu_ps(m0, x), b = _mm512_maskz_loadu_ps(m1, x + 16);
    return (__m512i) _mm512_cvtne2ps_pbh(b, a);
}

KERNEL static inline __m512i pairs_run_bf16(const uint16_t *x, int n) {
    __mmask32 m = n >= 32 ? 0xffffffffu : (__mmask32) ((1u << (n > 0 ? n : 0)) - 1);
    return _mm512_maskz_loadu_epi16(m, x);
}

static inline __mmask16 lanes(int n) {
    return n >= 16 ? 0xffff : (__mmask16) ((1u << (n > 0 ? n : 0)) - 1);
}

/*
 * Packs B[pc .. pc+kc, jc .. jc+nc) (B[p, j] = x[p·ld + j], or x[j·ld + p] when transposed; x FP32, or
 * bf16 bits when bf16 != 0) into 32-column panels at dst.
 */
KERNEL void a4j_bf16_pack_b(const void *src, int bf16, int64_t ld, int transposed, int pc, int kc, int jc, int nc,
                            uint32_t *dst) {
    const float *xf = (const float *) src;
    const uint16_t *xh = (const uint16_t *) src;
    int kcp = (kc + 1) / 2, panels = (nc + NR - 1) / NR;
    for (int t = 0; t < panels; t++) {
        int j0 = jc + t * NR, nr = nc - t * NR < NR ? nc - t * NR : NR;
        uint32_t *out = dst + (int64_t) t * kcp * NR;
        if (!transposed) {
            /* rows 2kp and 2kp+1 of B are contiguous in j: convert and interleave 16 columns at a time */
            for (int kp = 0; kp < kcp; kp++) {
                int64_t r0 = (int64_t) (pc + 2 * kp) * ld + j0;
                int last = 2 * kp + 1 >= kc;
                for (int h = 0; h < 2; h++) {
                    __mmask16 m = lanes(nr - 16 * h);
                    __m512i v = bf16 ? pairs_rows_bf16(xh + r0 + 16 * h, last ? 0 : xh + r0 + ld + 16 * h, m)
                                     : pairs_rows_f32(xf + r0 + 16 * h, last ? 0 : xf + r0 + ld + 16 * h, m);
                    _mm512_storeu_si512(out + (int64_t) kp * NR + 16 * h, v);
                }
            }
        } else {
            /* column j of B is contiguous in p: convert 16 pairs of each of 16 columns, then transpose */
            uint32_t tmp[16][16];
            for (int kp0 = 0; kp0 < kcp; kp0 += 16) {
                int np = kcp - kp0 < 16 ? kcp - kp0 : 16;
                for (int h = 0; h < 2; h++) {
                    for (int j = 0; j < 16; j++) {
                        int col = 16 * h + j;
                        __m512i v = _mm512_setzero_si512();
                        if (col < nr) {
                            int64_t o = (int64_t) (j0 + col) * ld + pc + 2 * kp0;
                            int n = kc - 2 * kp0;
                            v = bf16 ? pairs_run_bf16(xh + o, n) : pairs_run_f32(xf + o, n);
                        }
                        _mm512_storeu_si512(tmp[j], v);
                    }
                    for (int i = 0; i < np; i++) {
                        uint32_t *row = out + (int64_t) (kp0 + i) * NR + 16 * h;
                        for (int j = 0; j < 16; j++) row[j] = tmp[j][i];
                    }
                }
            }
        }
    }
}

/*
 * Packs A[ic .. ic+mc, pc .. pc+kc) (A[i, p] = x[i·ld + p], or x[p·ld + i] when transposed; FP32) into
 * 14-row panels at dst.
 */
KERNEL void a4j_bf16_pack_a(const float *x, int64_t ld, int transposed, int ic, int mc, int pc, int kc, uint32_t *dst) {
    int kcp = (kc + 1) / 2, panels = (mc + MR - 1) / MR;
    for (int q = 0; q < panels; q++) {
        int i0 = ic + q * MR, mr = mc - q * MR < MR ? mc - q * MR : MR;
        uint32_t *out = dst + (int64_t) q * kcp * MR;
        if (transposed) {
            /* rows 2kp, 2kp+1 of x hold the panel's 14 rows of A side by side */
            __mmask16 m = lanes(mr);
            for (int kp = 0; kp < kcp; kp++) {
                const float *r0 = x + (int64_t) (pc + 2 * kp) * ld + i0;
                __m512i v = pairs_rows_f32(r0, 2 * kp + 1 >= kc ? 0 : r0 + ld, m);
                _mm512_mask_storeu_epi32(out + (int64_t) kp * MR, 0x3fff, v);
            }
        } else {
            /* row r of A is contiguous in p: convert 16 pairs of each of the 14 rows, then transpose */
            uint32_t tmp[MR][16];
            for (int kp0 = 0; kp0 < kcp; kp0 += 16) {
                int np = kcp - kp0 < 16 ? kcp - kp0 : 16;
                for (int r = 0; r < MR; r++) {
                    __m512i v = _mm512_setzero_si512();
                    if (r < mr) v = pairs_run_f32(x + (int64_t) (i0 + r) * ld + pc + 2 * kp0, kc - 2 * kp0);
                    _mm512_storeu_si512(tmp[r], v);
                }
                for (int i = 0; i < np; i++) {
                    uint32_t *row = out + (int64_t) (kp0 + i) * MR;
                    for (int r = 0; r < MR; r++) row[r] = tmp[r][i];
                }
            }
        }
    }
}

/*
 * The 14×32 tile at c (row stride ldc), mr ≤ 14 rows and nr ≤ 32 columns of it kept: starts from C (from_c),
 * else from bias[0 .. nr) (zeros when bias is null), adds kcp pairs of the A panel pa and the B panel pb.
 * 28 accumulators + 2 B vectors; A's pairs are broadcast from memory.
 */
KERNEL static void tile(int kcp, const uint32_t *pa, const uint32_t *pb, float *c, int64_t ldc, int mr, int nr,
                        int from_c, const float *bias) {
    __m512 acc[MR][2];
    __mmask16 m0 = lanes(nr), m1 = lanes(nr - 16);
    __m512 i0 = _mm512_setzero_ps(), i1 = _mm512_setzero_ps();
    if (!from_c && bias) {
        i0 = _mm512_maskz_loadu_ps(m0, bias);
        i1 = _mm512_maskz_loadu_ps(m1, bias + 16);
    }
#pragma GCC unroll 14
    for (int r = 0; r < MR; r++) {
        if (from_c && r < mr) {
            acc[r][0] = _mm512_maskz_loadu_ps(m0, c + r * ldc);
            acc[r][1] = _mm512_maskz_loadu_ps(m1, c + r * ldc + 16);
        } else {
            acc[r][0] = i0;
            acc[r][1] = i1;
        }
    }
    for (int kp = 0; kp < kcp; kp++) {
        __m512bh b0 = (__m512bh) _mm512_loadu_si512(pb + kp * NR);
        __m512bh b1 = (__m512bh) _mm512_loadu_si512(pb + kp * NR + 16);
        const uint32_t *a = pa + kp * MR;
#pragma GCC unroll 14
        for (int r = 0; r < MR; r++) {
            __m512bh x = (__m512bh) _mm512_set1_epi32((int) a[r]);
            acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);
            acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);
        }
    }
#pragma GCC unroll 14
    for (int r = 0; r < MR; r++) {
        if (r < mr) {
            _mm512_mask_storeu_ps(c + r * ldc, m0, acc[r][0]);
            _mm512_mask_storeu_ps(c + r * ldc + 16, m1, acc[r][1]);
        }
    }
}

/*
 * C[0 .. mc, 0 .. nc) (c at the block's first element, row stride ldc) from the packed A block pa (mc rows)
 * and panels [t0, t1) of the packed B block pb (columns t0·32 .. min(nc, t1·32)), depth kc; starts from C
 * when from_c, else from bias (indexed from the block's first column; null for zeros). Each B panel is
 * swept against every A panel while it sits in L1.
 */
KERNEL void a4j_bf16_macro(int mc, int nc, int kc, int t0, int t1, const uint32_t *pa, const uint32_t *pb,
                           float *c, int64_t ldc, int from_c, const float *bias) {
    int kcp = (kc + 1) / 2, panels = (mc + MR - 1) / MR;
    for (int t = t0; t < t1; t++) {
        int j = t * NR, nr = nc - j < NR ? nc - j : NR;
        const uint32_t *b = pb + (int64_t) t * kcp * NR;
        for (int q = 0; q < panels; q++) {
            int i = q * MR, mr = mc - i < MR ? mc - i : MR;
            tile(kcp, pa + (int64_t) q * kcp * MR, b, c + i * ldc + j, ldc, mr, nr, from_c, bias ? bias + j : 0);
        }
    }
}
