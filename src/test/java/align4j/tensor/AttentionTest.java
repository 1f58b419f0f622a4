package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AttentionTest {
    /** Segments as {start, end, parentStart, parentEnd} over rows [0, last end). */
    static AttentionMask mask(int[]... segments) {
        int rows = segments[segments.length - 1][1];
        int[] seg = new int[rows], ps = new int[rows], pe = new int[rows];
        for (int[] s : segments) {
            for (int i = s[0]; i < s[1]; i++) {
                seg[i] = s[0];
                ps[i] = s[2];
                pe[i] = s[3];
            }
        }
        return new AttentionMask(seg, ps, pe);
    }

    static boolean sees(AttentionMask m, int i, int j) {
        return (j >= m.parentStart()[i] && j < m.parentEnd()[i]) || (j >= m.segStart()[i] && j <= i);
    }

    /** Softmax attention in double, straight from the definition; lse into lse when not null. */
    static double[] reference(double[] qkv, double[] lse, AttentionMask m, int rows, int heads, int kvHeads, int d) {
        int stride = (heads + 2 * kvHeads) * d;
        double[] out = new double[rows * heads * d];
        for (int i = 0; i < rows; i++) {
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kvHeads), q = i * stride + h * d;
                double[] s = new double[rows];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < rows; j++) {
                    if (!sees(m, i, j)) continue;
                    int k = j * stride + (heads + g) * d;
                    for (int c = 0; c < d; c++) s[j] += qkv[q + c] * qkv[k + c];
                    s[j] /= Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                for (int j = 0; j < rows; j++) if (sees(m, i, j)) sum += Math.exp(s[j] - max);
                for (int j = 0; j < rows; j++) {
                    if (!sees(m, i, j)) continue;
                    int v = j * stride + (heads + kvHeads + g) * d;
                    double p = Math.exp(s[j] - max) / sum;
                    for (int c = 0; c < d; c++) out[(i * heads + h) * d + c] += p * qkv[v + c];
                }
                if (lse != null) lse[i * heads + h] = max + Math.log(sum);
            }
        }
        return out;
    }

    static Arguments shape(String name, int heads, int kvHeads, int d, int[]... segments) {
        return Arguments.of(name, heads, kvHeads, d, mask(segments));
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                shape("causal MHA", 4, 4, 8, new int[] {0, 9, 0, 0}),
                shape("GQA two segments", 4, 2, 16, new int[] {0, 5, 0, 0}, new int[] {5, 13, 0, 0}),
                shape("MQA prompt with two completions", 4, 1, 20,
                        new int[] {0, 6, 0, 0}, new int[] {6, 12, 0, 6}, new int[] {12, 20, 0, 6}),
                shape("many key tiles, unaligned ranges", 2, 1, 4,
                        new int[] {0, 3, 0, 0}, new int[] {3, 70, 0, 3}),
                shape("head dim 64", 2, 1, 64, new int[] {0, 7, 0, 0}, new int[] {7, 18, 2, 7}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void forwardMatchesDoubleReferenceAndBackwardMatchesFiniteDifferences(String name, int heads, int kvHeads, int d,
                                                                         AttentionMask m) {
        int rows = m.segStart().length, stride = (heads + 2 * kvHeads) * d, width = heads * d;
        Random rnd = new Random(name.hashCode());
        float[] qkv = randn(rnd, rows * stride, 1), g = randn(rnd, rows * width, 1);
        float[] out = new float[rows * width], lse = new float[rows * heads];
        Attention.forward(out, lse, qkv, m, rows, heads, kvHeads, d);
        double[] qd = toDouble(qkv), lseRef = new double[rows * heads];
        assertClose("out", reference(qd, lseRef, m, rows, heads, kvHeads, d), out, 1e-5);
        assertClose("lse", lseRef, lse, 1e-5);

        float[] dqkv = randn(rnd, rows * stride, 1), before = dqkv.clone();
        Attention.backward(dqkv, g, out, lse, qkv, m, rows, heads, kvHeads, d);
        double[] expected = numeric(x -> dot(g, reference(x, null, m, rows, heads, kvHeads, d)), qd);
        assertClose("dqkv", expected, delta(dqkv, before), 1e-4);
    }

    @Test
    void firstQueryOfASegmentReturnsItsOwnValue() {
        int heads = 2, kvHeads = 1, d = 8, rows = 6, stride = (heads + 2 * kvHeads) * d;
        AttentionMask m = mask(new int[] {0, 2, 0, 0}, new int[] {2, 6, 0, 0});
        float[] qkv = randn(new Random(9), rows * stride, 1), out = new float[rows * heads * d];
        Attention.forward(out, new float[rows * heads], qkv, m, rows, heads, kvHeads, d);
        for (int i : new int[] {0, 2}) {
            for (int h = 0; h < heads; h++) {
                for (int c = 0; c < d; c++) {
                    assertEquals(qkv[i * stride + (heads + kvHeads) * d + c],
                            out[(i * heads + h) * d + c], 1e-6f);
                }
            }
        }
    }

    /**
     * Prefix sharing: [prompt | chosen | rejected] with the prompt as both completions' parent and
     * positions continued equals the two unshared sequences [prompt | chosen] and [prompt | rejected]
     * (RoPE included): completion outputs and gradients match, prompt gradients are their sum.
     */
    @Test
    void sharedPromptEqualsUnsharedSequencesForOutputsAndGradients() {
        int heads = 4, kvHeads = 2, d = 16, p = 5, c1 = 4, c2 = 3, stride = (heads + 2 * kvHeads) * d, w = heads * d;
        Random rnd = new Random(12);
        float[] prompt = randn(rnd, p * stride, 1), chosen = randn(rnd, c1 * stride, 1), rejected = randn(rnd, c2 * stride, 1);
        float[] gp = randn(rnd, p * w, 1), gc = randn(rnd, c1 * w, 1), gr = randn(rnd, c2 * w, 1);
        Rope rope = new Rope(d, 10000f, null);

        float[][] shared = run(rope, concat(prompt, chosen, rejected), concat(gp, gc, gr),
                new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7},
                mask(new int[] {0, p, 0, 0}, new int[] {p, p + c1, 0, p}, new int[] {p + c1, p + c1 + c2, 0, p}),
                heads, kvHeads, d);
        float[][] a = run(rope, concat(prompt, chosen), concat(gp, gc), new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8},
                AttentionMask.causal(new int[p + c1]), heads, kvHeads, d);
        float[][] b = run(rope, concat(prompt, rejected), concat(new float[p * w], gr), new int[] {0, 1, 2, 3, 4, 5, 6, 7},
                AttentionMask.causal(new int[p + c2]), heads, kvHeads, d);

        float[] expectedOut = concat(slice(a[0], 0, (p + c1) * w), slice(b[0], p * w, (p + c2) * w));
        assertClose("out", toDouble(expectedOut), shared[0], 1e-6);
        float[] promptGrad = slice(a[1], 0, p * stride);
        for (int i = 0; i < promptGrad.length; i++) promptGrad[i] += b[1][i];
        float[] expectedGrad = concat(promptGrad, slice(a[1], p * stride, (p + c1) * stride),
                slice(b[1], p * stride, (p + c2) * stride));
        assertClose("dqkv", toDouble(expectedGrad), shared[1], 1e-5);
    }

    /** RoPE then attention forward; backward from dout through both. Returns {out, dqkv}. */
    private static float[][] run(Rope rope, float[] qkv, float[] dout, int[] pos, AttentionMask m, int heads, int kvHeads, int d) {
        int rows = pos.length, stride = (heads + 2 * kvHeads) * d;
        float[] x = qkv.clone(), out = new float[rows * heads * d], lse = new float[rows * heads], dx = new float[x.length];
        rope.forward(x, pos, rows, stride, heads + kvHeads);
        Attention.forward(out, lse, x, m, rows, heads, kvHeads, d);
        Attention.backward(dx, dout, out, lse, x, m, rows, heads, kvHeads, d);
        rope.backward(dx, pos, rows, stride, heads + kvHeads);
        return new float[][] {out, dx};
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] part : parts) n += part.length;
        float[] all = new float[n];
        int o = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, o, part.length);
            o += part.length;
        }
        return all;
    }

    private static float[] slice(float[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }

    /**
     * Queries run in fixed blocks of eight rows (eight-query loops), four, or one by one at segment
     * edges; shifting a segment by three or four rows changes which path each query takes but not a
     * single bit. Head size 64 with 70 keys also runs the multi-tile and multi-vector loops of the blocks.
     */
    @Test
    void resultsDoNotDependOnWhereASegmentSitsInThePackedRow() {
        for (int[] dn : new int[][] {{20, 37, 3}, {64, 70, 3}, {64, 70, 4}, {20, 37, 4}}) {
            int heads = 4, kvHeads = 2, d = dn[0], n = dn[1], shift = dn[2], stride = (heads + 2 * kvHeads) * d, w = heads * d;
            Random rnd = new Random(14);
            float[] seg = randn(rnd, n * stride, 1), g = randn(rnd, n * w, 1);
            float[] pad = randn(rnd, shift * stride, 1), padG = randn(rnd, shift * w, 1);
            float[][] alone = attend(seg, g, mask(new int[] {0, n, 0, 0}), heads, kvHeads, d, 1);
            float[][] shifted = attend(concat(pad, seg), concat(padG, g),
                    mask(new int[] {0, shift, 0, 0}, new int[] {shift, shift + n, 0, 0}), heads, kvHeads, d, 1);
            assertArrayEquals(alone[0], slice(shifted[0], shift * w, (shift + n) * w), "out, d = " + d);
            assertArrayEquals(alone[1], slice(shifted[1], shift * heads, (shift + n) * heads), "lse, d = " + d);
            assertArrayEquals(alone[2], slice(shifted[2], shift * stride, (shift + n) * stride), "dqkv, d = " + d);
        }
    }

    @Test
    void resultsAreBitIdenticalForOneAndTwoThreadsAndRunToRun() {
        int heads = 4, kvHeads = 2, d = 64, stride = (heads + 2 * kvHeads) * d;
        AttentionMask m = mask(new int[] {0, 90, 0, 0}, new int[] {90, 200, 0, 90}, new int[] {200, 301, 0, 90});
        int rows = m.segStart().length;
        Random rnd = new Random(13);
        float[] qkv = randn(rnd, rows * stride, 1), g = randn(rnd, rows * heads * d, 1);
        float[][] one = attend(qkv, g, m, heads, kvHeads, d, 1), two = attend(qkv, g, m, heads, kvHeads, d, 2);
        float[][] again = attend(qkv, g, m, heads, kvHeads, d, 2);
        for (int k = 0; k < one.length; k++) {
            assertArrayEquals(one[k], two[k]);
            assertArrayEquals(two[k], again[k]);
        }
    }

    private static float[][] attend(float[] qkv, float[] g, AttentionMask m, int heads, int kvHeads, int d, int threads) {
        int rows = m.segStart().length;
        float[] out = new float[rows * heads * d], lse = new float[rows * heads], dqkv = new float[qkv.length];
        withThreads(threads, () -> {
            Attention.forward(out, lse, qkv, m, rows, heads, kvHeads, d);
            Attention.backward(dqkv, g, out, lse, qkv, m, rows, heads, kvHeads, d);
        });
        return new float[][] {out, lse, dqkv};
    }
}
