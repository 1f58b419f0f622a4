package align4j.model;

import static org.junit.jupiter.api.Assertions.*;

import align4j.tensor.Softmax;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Incremental decoding with a KV cache ({@link Transformer#forwardCached}) against the full recomputation
 * ({@link Transformer#forwardHidden} over the whole sequence, the packed-attention path): at every step,
 * every sequence's next-token logits agree to float tolerance, and the log-probs of the fed tokens equal
 * {@link Transformer#logps} of the whole sequence. Three prompts of different lengths are prefilled in one
 * call, then decoded one token each per call; midway a finished slot is reset and a new prompt prefilled
 * in the same call as the other sequences' decode rows (continuous batching).
 */
class KvCacheDecodingTest {
    static ModelConfig config(String name) {
        ObjectNode json = switch (name) {
            case "gpt2" -> TinyModels.gpt2();
            // GQA (4 query heads on 2 kv heads), q/k/v and o biases, llama3 rope scaling
            case "llama" -> TinyModels.llama().put("hidden_size", 32).put("rope_theta", 500.0).put("attention_bias", true)
                    .set("rope_scaling", TinyModels.json("{\"rope_type\":\"llama3\",\"factor\":4.0,"
                            + "\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8}"));
            // qwen2: q/k/v bias, one kv head for two query heads, tied head
            case "qwen2" -> TinyModels.qwen2();
            // qwen3: q/k norms, GQA, head_dim 6 ≠ hidden/heads, tied head
            case "qwen3" -> TinyModels.qwen3().put("rope_theta", 500.0);
            default -> throw new IllegalArgumentException(name);
        };
        return TinyModels.config(json, name);
    }

    /** Random weights with noise on every tensor (biases and norms included), so logits are far from uniform. */
    static Transformer model(String name, long seed) {
        ModelConfig cfg = config(name);
        return new Transformer(cfg, TinyModels.randomWeights(cfg, seed, 0.3));
    }

    static int[] ids(SplittableRandom rnd, int vocab, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextInt(vocab);
        return a;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void cachedLogitsEqualFullRecomputationAtEveryStep(String family) throws Exception {
        check(model(family, 21), family);
    }

    /** LoRA adapters on every projection (random B, so they matter) and frozen weights held as bf16 apply in decoding too. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2", "qwen3"})
    void adaptersAndBf16WeightsApplyWhenDecoding(String family) throws Exception {
        Transformer m = model(family, 21);
        int[] ids = {1, 2, 3, 4};
        float[] base = TinyModels.nextTokenLogits(m, ids);
        m.setLora(LoraTest.randomLora(m.cfg, LoraTest.ALL, 3));
        m.holdFrozenWeightsAsBf16();
        float[] adapted = TinyModels.nextTokenLogits(m, ids);
        double diff = 0;
        for (int i = 0; i < base.length; i++) diff = Math.max(diff, Math.abs(base[i] - adapted[i]));
        assertTrue(diff > 0.1, "adapters barely change the logits: " + diff);
        check(m, family + "+lora+bf16");
    }

    static void check(Transformer m, String family) {
        int v = m.head().vocab();
        SplittableRandom rnd = new SplittableRandom(5);
        // slot s: its sequence so far, and the tokens it will be fed after its prompt
        List<int[]> seqs = new ArrayList<>(List.of(ids(rnd, v, 3), ids(rnd, v, 7), ids(rnd, v, 5)));
        int[][] feed = {ids(rnd, v, 6), ids(rnd, v, 6), ids(rnd, v, 2)};
        int[] fed = new int[3];
        KvCache kv = new KvCache(m.cfg, 3);
        int[] pending = {0, 1, 2}; // slots whose whole sequence is still to be prefilled
        int replacementPrompt = 4;
        float[][] stepLogps = new float[3][8];
        int checks = 0;
        for (int step = 0; step < 7; step++) {
            int[] tokens = new int[64], slots = new int[64], last = new int[3], lastSlot = new int[3];
            int rows = 0, active = 0;
            boolean[] prefillSlot = new boolean[3];
            for (int s : pending) prefillSlot[s] = true;
            for (int s = 0; s < 3; s++) {
                boolean prefill = prefillSlot[s];
                if (prefill) {
                    for (int t : seqs.get(s)) {
                        tokens[rows] = t;
                        slots[rows++] = s;
                    }
                } else if (fed[s] < feed[s].length) {
                    int t = feed[s][fed[s]++];
                    seqs.set(s, append(seqs.get(s), t));
                    tokens[rows] = t;
                    slots[rows++] = s;
                } else {
                    continue;
                }
                last[active] = rows - 1;
                lastSlot[active++] = s;
            }
            pending = new int[0];
            float[] hidden = m.forwardCached(kv, tokens, slots, rows);
            float[] logits = new float[active * v];
            m.logitsAt(logits, hidden, last, active);
            float[] logSoftmax = new float[active * v];
            m.logSoftmaxAt(logSoftmax, hidden, last, active);
            for (int j = 0; j < active; j++) {
                int s = lastSlot[j];
                float[] ref = TinyModels.nextTokenLogits(m, seqs.get(s));
                for (int i = 0; i < v; i++) {
                    assertEquals(ref[i], logits[j * v + i], 2e-4f * Math.max(1f, Math.abs(ref[i])),
                            family + " step " + step + " slot " + s + " logit " + i);
                }
                assertEquals(seqs.get(s).length, kv.length(s));
                if (fed[s] < feed[s].length) {
                    int t = feed[s][fed[s]];
                    stepLogps[s][fed[s]] = logSoftmax[j * v + t];
                    assertEquals(logits[j * v + t] - Softmax.logSumExp(logits, j * v, v), logSoftmax[j * v + t], 1e-5f);
                }
                checks++;
            }
            if (step == 3) {
                // slot 2 is done: give it a new prompt, prefilled next step alongside slots 0 and 1 decoding
                assertEquals(feed[2].length, fed[2]);
                kv.reset(2);
                seqs.set(2, ids(rnd, v, replacementPrompt));
                feed[2] = ids(rnd, v, 3);
                fed[2] = 0;
                pending = new int[] {2};
            }
        }
        assertTrue(checks >= 18, "checked " + checks);
        // the fed tokens' log-probs equal Transformer.logps of the whole sequences (slots 0 and 1)
        for (int s = 0; s < 2; s++) {
            int[] all = seqs.get(s);
            int promptLen = all.length - feed[s].length;
            BatchBuilder b = new BatchBuilder();
            b.addSequence(Arrays.copyOf(all, promptLen), feed[s]);
            float[] logp = m.logps(b.build(), false).logp();
            for (int j = 0; j < feed[s].length; j++) {
                assertEquals(logp[j], stepLogps[s][j], 2e-4f, family + " slot " + s + " token " + j);
            }
        }
    }

    static int[] append(int[] a, int t) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = t;
        return b;
    }
}
