package align4j.generate;

import static org.junit.jupiter.api.Assertions.*;

import align4j.model.ModelConfig;
import align4j.model.TinyModels;
import align4j.model.Transformer;
import align4j.tensor.Softmax;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Generator} on tiny random models: greedy decoding, seeds, batch sizes, stop ids, lengths. */
class GeneratorTest {
    static Transformer model(String name, long seed) {
        ObjectNode json = switch (name) {
            case "gpt2" -> TinyModels.gpt2().put("n_positions", 24);
            case "llama" -> TinyModels.llama().put("hidden_size", 32).put("attention_bias", true);
            default -> throw new IllegalArgumentException(name);
        };
        ModelConfig cfg = TinyModels.config(json, name);
        return new Transformer(cfg, TinyModels.randomWeights(cfg, seed, 0.3));
    }

    static List<int[]> prompts(int vocab, long seed, int... lengths) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int n : lengths) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) a[i] = rnd.nextInt(vocab);
            out.add(a);
        }
        return out;
    }

    static int[] concat(int[] a, int[] b, int bn) {
        int[] c = java.util.Arrays.copyOf(a, a.length + bn);
        System.arraycopy(b, 0, c, a.length, bn);
        return c;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void greedyEqualsArgmaxOfFullRecomputation(String family) throws Exception {
        Transformer m = model(family, 3);
        List<int[]> prompts = prompts(m.cfg.vocabSize(), 9, 2, 6, 4, 1, 5);
        List<Generation> gens = new Generator(m, null).batchSize(3).generate(prompts, SamplingParams.greedy(10, List.of()), 0);
        assertEquals(prompts.size(), gens.size());
        for (int i = 0; i < prompts.size(); i++) {
            Generation g = gens.get(i);
            assertEquals(i, g.promptIndex());
            assertEquals(10, g.tokenIds().length);
            assertEquals(Generation.FinishReason.LENGTH, g.finishReason());
            for (int t = 0; t < 10; t++) {
                float[] ref = TinyModels.nextTokenLogits(m, concat(prompts.get(i), g.tokenIds(), t));
                int arg = 0;
                for (int k = 1; k < ref.length; k++) if (ref[k] > ref[arg]) arg = k;
                assertEquals(arg, g.tokenIds()[t], family + " prompt " + i + " token " + t);
                float logp = ref[arg] - Softmax.logSumExp(ref, 0, ref.length);
                assertEquals(logp, g.logprobs()[t], 2e-4f);
            }
        }
    }

    @Test
    void gpt2StopsAtItsLastPosition() throws Exception {
        Transformer m = model("gpt2", 3);
        // n_positions 24: a 20-token prompt leaves positions for 4 more fed tokens plus one final prediction
        List<Generation> g = Generator.generate(m, prompts(37, 1, 20), SamplingParams.greedy(50, List.of()), 0);
        assertEquals(5, g.get(0).tokenIds().length);
        assertEquals(Generation.FinishReason.LENGTH, g.get(0).finishReason());
    }

    @Test
    void stopTokenEndsTheSequenceAndIsKept() throws Exception {
        Transformer m = model("llama", 3);
        List<int[]> prompts = prompts(41, 2, 3, 5);
        List<Generation> free = Generator.generate(m, prompts, SamplingParams.greedy(8, List.of()), 0);
        int stopId = free.get(0).tokenIds()[3];
        List<Generation> stopped = Generator.generate(m, prompts, SamplingParams.greedy(8, List.of(stopId)), 0);
        for (int i = 0; i < 2; i++) {
            int[] all = free.get(i).tokenIds();
            int first = -1;
            for (int t = 0; t < all.length && first < 0; t++) if (all[t] == stopId) first = t;
            Generation g = stopped.get(i);
            if (first < 0) {
                assertArrayEquals(all, g.tokenIds());
                assertEquals(Generation.FinishReason.LENGTH, g.finishReason());
            } else {
                assertArrayEquals(java.util.Arrays.copyOf(all, first + 1), g.tokenIds());
                assertEquals(Generation.FinishReason.STOP, g.finishReason());
            }
        }
        assertEquals(Generation.FinishReason.STOP, stopped.get(0).finishReason());
    }

    static void assertSame(List<Generation> a, List<Generation> b, float logpTol) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).tokenIds(), b.get(i).tokenIds(), "sequence " + i);
            assertArrayEquals(a.get(i).logprobs(), b.get(i).logprobs(), logpTol, "sequence " + i);
            assertEquals(a.get(i).finishReason(), b.get(i).finishReason());
        }
    }

    @Test
    void sampledCompletionsDependOnlyOnSeedAndIndexNotOnBatchSize() throws Exception {
        Transformer m = model("llama", 4);
        List<int[]> prompts = prompts(41, 3, 4, 2, 7, 3);
        SamplingParams p = new SamplingParams(12, true, 1.3f, 0, 1f, 3, List.of(5), List.of());
        List<Generation> ref = new Generator(m, null).batchSize(1).generate(prompts, p, 77);
        assertEquals(12, ref.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(i / 3, ref.get(i).promptIndex());
            assertEquals(i % 3, ref.get(i).sampleIndex());
        }
        for (int b : new int[] {2, 5, 12}) {
            assertSame(ref, new Generator(m, null).batchSize(b).generate(prompts, p, 77), 1e-5f);
        }
        assertSame(ref, new Generator(m, null).batchSize(1).generate(prompts, p, 77), 0f); // bit-identical rerun
        // the three samples of a prompt differ, and another seed gives other completions
        assertFalse(java.util.Arrays.equals(ref.get(0).tokenIds(), ref.get(1).tokenIds()));
        List<Generation> other = new Generator(m, null).batchSize(4).generate(prompts, p, 78);
        int same = 0;
        for (int i = 0; i < 12; i++) if (java.util.Arrays.equals(ref.get(i).tokenIds(), other.get(i).tokenIds())) same++;
        assertTrue(same < 3, same + " of 12 completions equal under another seed");
        // a stop id ends some completions early (id 5 is one of 41, drawn at temperature 1.3)
        boolean stoppedEarly = false;
        for (Generation g : ref) {
            int[] t = g.tokenIds();
            if (g.finishReason() == Generation.FinishReason.STOP) {
                assertEquals(5, t[t.length - 1]);
                stoppedEarly = true;
            } else {
                assertEquals(12, t.length);
            }
            for (int j = 0; j < t.length - 1; j++) assertNotEquals(5, t[j]);
        }
        assertTrue(stoppedEarly);
    }

    @Test
    void zeroMaxNewTokensGivesEmptyCompletions() throws Exception {
        Transformer m = model("gpt2", 3);
        List<Generation> g = Generator.generate(m, prompts(37, 1, 3, 4), SamplingParams.greedy(0, List.of()), 0);
        assertEquals(2, g.size());
        assertEquals(0, g.get(1).tokenIds().length);
        assertEquals(Generation.FinishReason.LENGTH, g.get(1).finishReason());
    }

    /** Kernels split work with a fixed reduction order, so 1, 2 or 3 threads give the same bits. */
    @Test
    void completionsAreBitIdenticalAcrossThreadCounts() throws Exception {
        Transformer m = model("llama", 6);
        List<int[]> prompts = prompts(41, 8, 5, 9, 2);
        SamplingParams p = new SamplingParams(10, true, 1f, 20, 0.9f, 2, List.of(), List.of());
        int before = align4j.tensor.Parallel.threads();
        try {
            align4j.tensor.Parallel.setThreads(1);
            List<Generation> one = new Generator(m, null).batchSize(4).generate(prompts, p, 3);
            for (int t : new int[] {2, 3}) {
                align4j.tensor.Parallel.setThreads(t);
                assertSame(one, new Generator(m, null).batchSize(4).generate(prompts, p, 3), 0f);
            }
        } finally {
            align4j.tensor.Parallel.setThreads(before);
        }
    }
}
