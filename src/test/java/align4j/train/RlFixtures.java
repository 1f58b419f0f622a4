package align4j.train;

import align4j.model.ModelConfig;
import align4j.model.ScalarHead;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny models and fixed rollouts for the RL tests. */
final class RlFixtures {
    private RlFixtures() {}

    /** GPT-2 over 16 ids. */
    static ModelConfig config() {
        return TinyModels.config(TinyModels.gpt2().put("vocab_size", 16), "tiny");
    }

    /** Random weights, perturbed so that logits are far from uniform (gradients are not tiny). */
    static Map<String, Tensor> weights(ModelConfig cfg, long seed, double noise) {
        return TinyModels.randomWeights(cfg, seed, noise);
    }

    /** A deep copy (a frozen reference, or a twin for independent recomputation). */
    static Map<String, Tensor> copy(Map<String, Tensor> p) {
        Map<String, Tensor> c = new LinkedHashMap<>();
        p.forEach((k, v) -> c.put(k, new Tensor(v.name, v.shape, v.data.clone())));
        return c;
    }

    static Transformer trainable(ModelConfig cfg, Map<String, Tensor> p) {
        Transformer m = new Transformer(cfg, p);
        for (Tensor t : m.parameters()) t.zeroGrad();
        return m;
    }

    static ScalarHead valueHead(int hidden, long seed) {
        ScalarHead h = RolloutLogps.newValueHead(hidden);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Tensor t : java.util.List.of(h.weight(), h.bias())) {
            for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        return h;
    }

    /** Rollouts with random prompts and completions; groupSize completions share each prompt array. */
    static Rollouts rollouts(int prompts, int groupSize, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = prompts * groupSize;
        int[][] p = new int[n][], c = new int[n][];
        boolean[] trunc = new boolean[n];
        for (int i = 0; i < prompts; i++) {
            int[] prompt = ids(rnd, 2 + rnd.nextInt(3), vocab);
            for (int g = 0; g < groupSize; g++) {
                p[i * groupSize + g] = prompt;
                c[i * groupSize + g] = ids(rnd, 2 + rnd.nextInt(4), vocab);
                trunc[i * groupSize + g] = rnd.nextBoolean();
            }
        }
        return new Rollouts(p, c, trunc);
    }

    static int[] ids(SplittableRandom rnd, int n, int vocab) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextInt(vocab);
        return a;
    }
}
