package align4j.bench;

import align4j.tensor.Attention;
import align4j.tensor.AttentionMask;
import align4j.tensor.Gelu;
import align4j.tensor.LayerNorm;
import align4j.tensor.TokenLogProbs;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * GPT-2-small layer kernels on one packed row of 1024 tokens (two 512-token sequences):
 * ./align4j jmh LayerKernelsBench, or mvn test-compile exec:exec -Djmh.args="LayerKernelsBench".
 * TokenLogProbs runs 256 rows of the 50257-token vocabulary (scale ×8 for the 2048-row bench).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LayerKernelsBench {
    static final int ROWS = 1024, C = 768, HEADS = 12, D = 64, VOCAB = 50257, LOGIT_ROWS = 256;

    float[] x, w, b, out, mean, rstd, dx, dw, db, act, actOut;
    float[] qkv, att, lse, dqkv;
    AttentionMask mask;
    float[] logits, work, logp, lseV, dlogp;
    int[] targets;

    @Setup
    public void setup() {
        Random rnd = new Random(1);
        x = rand(rnd, ROWS * C);
        w = rand(rnd, C);
        b = rand(rnd, C);
        out = new float[ROWS * C];
        mean = new float[ROWS];
        rstd = new float[ROWS];
        dx = new float[ROWS * C];
        dw = new float[C];
        db = new float[C];
        act = rand(rnd, ROWS * 4 * C);
        actOut = new float[ROWS * 4 * C];
        qkv = rand(rnd, ROWS * 3 * C);
        att = new float[ROWS * C];
        lse = new float[ROWS * HEADS];
        dqkv = new float[ROWS * 3 * C];
        int[] seg = new int[ROWS];
        for (int i = ROWS / 2; i < ROWS; i++) seg[i] = ROWS / 2;
        mask = AttentionMask.causal(seg);
        Attention.forward(att, lse, qkv, mask, ROWS, HEADS, HEADS, D);
        logits = rand(rnd, LOGIT_ROWS * VOCAB);
        work = new float[logits.length];
        logp = new float[LOGIT_ROWS];
        lseV = new float[LOGIT_ROWS];
        dlogp = rand(rnd, LOGIT_ROWS);
        targets = new int[LOGIT_ROWS];
        for (int r = 0; r < LOGIT_ROWS; r++) targets[r] = rnd.nextInt(VOCAB);
    }

    static float[] rand(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    @Benchmark
    public void layerNormForward() {
        LayerNorm.forward(out, mean, rstd, x, w, b, ROWS, C, 1e-5f);
    }

    @Benchmark
    public void layerNormBackward() {
        LayerNorm.backward(dx, dw, db, out, x, w, mean, rstd, ROWS, C);
    }

    @Benchmark
    public void geluForward() {
        Gelu.forward(actOut, act, act.length);
    }

    @Benchmark
    public void geluBackward() {
        Gelu.backward(actOut, act, act, act.length);
    }

    @Benchmark
    public void attentionForward() {
        Attention.forward(att, lse, qkv, mask, ROWS, HEADS, HEADS, D);
    }

    @Benchmark
    public void attentionBackward() {
        Attention.backward(dqkv, att, att, lse, qkv, mask, ROWS, HEADS, HEADS, D);
    }

    @Benchmark
    public void tokenLogProbsForward() {
        TokenLogProbs.forward(logp, lseV, null, logits, targets, LOGIT_ROWS, VOCAB);
    }

    @Benchmark
    public void tokenLogProbsForwardBackward() {
        System.arraycopy(logits, 0, work, 0, logits.length);
        TokenLogProbs.forward(logp, lseV, null, work, targets, LOGIT_ROWS, VOCAB);
        TokenLogProbs.backward(work, dlogp, lseV, targets, LOGIT_ROWS, VOCAB);
    }
}
