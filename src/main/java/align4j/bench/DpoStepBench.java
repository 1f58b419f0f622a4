package align4j.bench;

import align4j.InputException;
import align4j.loss.DpoLoss;
import align4j.loss.LossType;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.PairBatch;
import align4j.model.Transformer;
import align4j.tensor.Bf16Gemm;
import align4j.tensor.MatMul;
import align4j.tensor.NativeBlas;
import align4j.tensor.Parallel;
import align4j.tensor.RssProbe;
import align4j.tensor.Tensor;
import align4j.train.AdamW;
import align4j.train.DpoObjective;
import align4j.train.GradClip;
import align4j.train.PairLogps;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Throughput of a DPO step on fixed shapes, counted as a PyTorch step counts it (every chosen and rejected
 * token; scripts/bench_pytorch.py runs the same step): policy forward+backward over chosen and rejected,
 * reference forward, sigmoid DPO loss, clipping and AdamW. Also measured: the same step with the reference
 * log-probs cached (what {@code align4j dpo} does), matmul GFLOP/s per layout, peak memory.
 *
 * <pre>{@code
 * for (DpoStepBench.Shape s : DpoStepBench.shapes("all")) System.out.print(DpoStepBench.run(s, Settings.defaults()).text());
 * }</pre>
 */
public final class DpoStepBench {
    private DpoStepBench() {}

    /** A bench shape: GPT-2 architecture, sequences of seq tokens whose first prompt tokens are the prompt. */
    public record Shape(String name, int layers, int hidden, int heads, int vocab, int seq, int prompt, int pairs) {
        /** The GPT-2 config.json of this shape. */
        public ModelConfig config() {
            ObjectNode c = new ObjectMapper().createObjectNode();
            c.put("model_type", "gpt2").put("vocab_size", vocab).put("n_embd", hidden).put("n_layer", layers)
                    .put("n_head", heads).put("n_positions", Math.max(1024, seq));
            return ModelConfig.parse(c, "bench shape " + name);
        }

        /** Chosen + rejected tokens of one step, as a padded PyTorch batch counts them. */
        public long tokens() {
            return 2L * pairs * seq;
        }
    }

    /** The shapes by name, in the order {@code all} runs them. */
    public static final List<Shape> SHAPES = List.of(
            new Shape("small", 6, 384, 6, 8192, 256, 128, 8),
            new Shape("gpt2-small", 12, 768, 12, 50257, 512, 256, 2));

    /**
     * How long to measure.
     *
     * @param steps  timed steps per shape, at least 1
     * @param warmup untimed steps first, as many as scripts/bench_pytorch.py takes
     */
    public record Settings(int steps, int warmup) {
        public Settings {
            if (steps < 1) throw new InputException("--steps must be at least 1");
        }

        public static Settings defaults() {
            return new Settings(3, 2);
        }
    }

    /**
     * What one shape measured; {@link #toJson} is the {@code --json} line's object.
     *
     * @param secondsPerStep          mean seconds of a step with the reference forward
     * @param secondsPerStepCachedRef the same with the reference log-probs cached
     * @param matmulGflops            forward, backward_input and backward_weight GFLOP/s on the MLP's up projection
     * @param packedTokens            tokens of the packed batch (the prompt once per pair)
     */
    public record Result(Shape shape, double secondsPerStep, double secondsPerStepCachedRef, Map<String, Double> matmulGflops,
                         double peakRssMb, double peakHeapMb, int threads, int packedTokens) {
        public Map<String, Object> toJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("shape", shape.name);
            out.put("tokens_per_second", shape.tokens() / secondsPerStep);
            out.put("seconds_per_step", secondsPerStep);
            out.put("tokens_per_second_cached_ref", shape.tokens() / secondsPerStepCachedRef);
            out.put("seconds_per_step_cached_ref", secondsPerStepCachedRef);
            out.put("matmul_gflops", matmulGflops);
            out.put("peak_rss_mb", peakRssMb);
            out.put("peak_heap_mb", peakHeapMb);
            out.put("threads", threads);
            out.put("blas", NativeBlas.enabled() ? "openblas" : "java");
            out.put("matmul_precision", Bf16Gemm.enabled() ? "bf16" : "fp32");
            out.put("config", Map.of("layers", shape.layers, "hidden", shape.hidden, "heads", shape.heads, "vocab", shape.vocab,
                    "seq", shape.seq, "prompt", shape.prompt, "pairs", shape.pairs, "packed_tokens", packedTokens));
            return out;
        }

        /** Two lines for a terminal. */
        public String text() {
            return String.format("%-10s  %8.0f tokens/s  (%.3f s/step; with cached reference %8.0f tokens/s)%n", shape.name,
                    shape.tokens() / secondsPerStep, secondsPerStep, shape.tokens() / secondsPerStepCachedRef)
                    + String.format("            matmul GFLOP/s %s  peak RSS %.0f MB, peak heap %.0f MB, %d threads%n",
                    matmulGflops, peakRssMb, peakHeapMb, threads);
        }
    }

    /** {@code small}, {@code gpt2-small} or {@code all} of {@link #SHAPES}. */
    public static List<Shape> shapes(String name) {
        if (name.equals("all")) return SHAPES;
        for (Shape s : SHAPES) if (s.name.equals(name)) return List.of(s);
        throw new InputException("--shape must be small, gpt2-small or all, got '" + name + "'");
    }

    /** Times the step on random weights and tokens (seeded) at the current {@link Parallel#threads()}. */
    public static Result run(Shape s, Settings settings) {
        ModelConfig cfg = s.config();
        Transformer policy = new Transformer(cfg, ModelInit.random(cfg, 1));
        Transformer ref = new Transformer(cfg, ModelInit.random(cfg, 1));
        List<Tensor> params = policy.parameters();
        for (Tensor t : params) t.zeroGrad();
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] prompts = new int[s.pairs][], chosen = new int[s.pairs][], rejected = new int[s.pairs][];
        for (int i = 0; i < s.pairs; i++) {
            prompts[i] = random(rnd, s.prompt, s.vocab);
            chosen[i] = random(rnd, s.seq - s.prompt, s.vocab);
            rejected[i] = random(rnd, s.seq - s.prompt, s.vocab);
        }
        PairBatch pb = PairBatch.of(prompts, chosen, rejected);
        DpoObjective dpo = new DpoObjective(policy, DpoLoss.of(LossType.SIGMOID, 0.1));
        AdamW adam = new AdamW(params, 0.0, AdamW.HF_DECAY);
        PairLogps.Result cached = PairLogps.compute(ref, prompts, chosen, rejected, s.pairs, Integer.MAX_VALUE, null);

        double withRef = time(settings, () -> {
            PairLogps.Result r = PairLogps.compute(ref, prompts, chosen, rejected, s.pairs, Integer.MAX_VALUE, null);
            step(dpo, pb, r, params, adam);
        });
        double cachedRef = time(settings, () -> step(dpo, pb, cached, params, adam));
        return new Result(s, withRef, cachedRef, matmulGflops(pb.batch().size(), s.hidden), RssProbe.peakRssMb(),
                RssProbe.peakHeapMb(), Parallel.threads(), pb.batch().size());
    }

    private static void step(DpoObjective dpo, PairBatch pb, PairLogps.Result ref, List<Tensor> params, AdamW adam) {
        dpo.train(pb, ref.chosen(), ref.rejected(), 1.0);
        GradClip.clip(params, 1.0);
        adam.step(1e-5);
        for (Tensor t : params) t.zeroGrad();
    }

    /** Mean seconds of the timed steps after the warmup steps. */
    private static double time(Settings settings, Runnable step) {
        for (int i = 0; i < settings.warmup(); i++) step.run();
        long t0 = System.nanoTime();
        for (int i = 0; i < settings.steps(); i++) step.run();
        return (System.nanoTime() - t0) / 1e9 / settings.steps();
    }

    /** Best of three runs per layout on the MLP's up projection shape: m tokens, k = C, n = 4C. */
    private static Map<String, Double> matmulGflops(int m, int c) {
        int k = c, n = 4 * c;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = randomFloats(rnd, m * k), w = randomFloats(rnd, n * k), y = new float[m * n], dx = new float[m * k],
                dw = new float[n * k];
        double flops = MatMul.flops(m, k, n);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("forward", flops / best(() -> MatMul.forward(y, x, w, null, m, k, n)) / 1e9);
        out.put("backward_input", flops / best(() -> MatMul.backwardInput(dx, y, w, m, k, n)) / 1e9);
        out.put("backward_weight", flops / best(() -> MatMul.backwardWeight(dw, null, y, x, m, k, n)) / 1e9);
        return out;
    }

    private static double best(Runnable r) {
        r.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private static int[] random(SplittableRandom rnd, int n, int vocab) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextInt(vocab);
        return a;
    }

    private static float[] randomFloats(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }
}
