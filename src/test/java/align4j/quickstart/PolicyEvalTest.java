package align4j.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.loss.KlEstimators;
import align4j.model.BatchBuilder;
import align4j.model.ModelConfig;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.train.Rollouts;
import org.junit.jupiter.api.Test;

/**
 * The KL the frontier plots, checked against an independent computation: for two-token completions, the
 * exact per-token KL summed along the sequence is KL(π(·|x)‖π_ref(·|x)) + KL(π(·|x,y₁)‖π_ref(·|x,y₁)), where
 * each next-token distribution is rebuilt here from the model's log-prob of every possible token (one scored
 * sequence per vocabulary entry), and the Monte-Carlo term is Σ_t log π(y_t) − log π_ref(y_t).
 */
class PolicyEvalTest {
    static final int V = 12;

    static Transformer model(long seed) throws Exception {
        return model(seed, V);
    }

    static Transformer model(long seed, int vocab) throws Exception {
        ModelConfig cfg = TinyModels.config(TinyModels.gpt2().put("vocab_size", vocab).put("n_layer", 1).put("n_positions", 16), "tiny");
        return new Transformer(cfg, TinyModels.randomWeights(cfg, seed, seed, 0.5));
    }

    /** log p(v | context) for every v, from summed log-probs of one-token completions. */
    static double[] nextToken(Transformer m, int[] context) {
        BatchBuilder b = new BatchBuilder();
        for (int v = 0; v < V; v++) b.addSequence(context, new int[] {v});
        float[] lp = m.logps(b.build(), false).logp();
        double[] out = new double[V];
        for (int v = 0; v < V; v++) out[v] = lp[v];
        return out;
    }

    static double kl(double[] lp, double[] lq) {
        double[] p = new double[V], q = new double[V];
        for (int v = 0; v < V; v++) {
            p[v] = Math.exp(lp[v]);
            q[v] = Math.exp(lq[v]);
        }
        return KlEstimators.categorical(p, q);
    }

    @Test
    void exactKlIsTheSumOfNextTokenKlsAlongTheSequence() throws Exception {
        Transformer pi = model(1), ref = model(2);
        int[] x = {3, 5, 7};
        int[][] y = {{4, 9}, {0, 11}};
        Rollouts r = new Rollouts(new int[][] {x, x}, y, new boolean[2]);
        double want = 0, wantMc = 0;
        for (int[] c : y) {
            int[] xy = {3, 5, 7, c[0]};
            double[] p0 = nextToken(pi, x), q0 = nextToken(ref, x), p1 = nextToken(pi, xy), q1 = nextToken(ref, xy);
            want += kl(p0, q0) + kl(p1, q1);
            wantMc += p0[c[0]] - q0[c[0]] + p1[c[1]] - q1[c[1]];
        }
        PolicyEval.Result e = PolicyEval.evaluate(pi, ref, r);
        assertEquals(want / 2, e.kl(), 1e-4);
        assertEquals(wantMc / 2, e.klMc(), 1e-4);
        assertEquals(0.0, PolicyEval.evaluate(pi, pi, r).kl(), 1e-6);
    }

    @Test
    void goldRewardIsTheMeanWithItsStandardError() throws Exception {
        Transformer pi = model(1, ReviewTask.vocab().size());
        int[] x = ReviewTask.encode("the film was");
        int[][] y = {ReviewTask.encode("very good ."), ReviewTask.encode("the acting was")};
        PolicyEval.Result e = PolicyEval.evaluate(pi, pi, new Rollouts(new int[][] {x, x}, y, new boolean[2]));
        double a = 1 / (1 + Math.exp(-1.5)), b = 0.5;
        assertEquals((a + b) / 2, e.goldReward(), 1e-12);
        assertEquals(Math.abs(a - b) / 2, e.goldRewardSe(), 1e-12); // s/√n with s² = (a−b)²/2, n = 2
    }
}
