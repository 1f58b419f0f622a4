package align4j.cli;

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
import align4j.tensor.Tensor;
import align4j.train.AdamW;
import align4j.train.DpoObjective;
import align4j.train.GradClip;
import align4j.train.PairLogps;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Throughput of a DPO step on fixed shapes, counted as a PyTorch step counts it (every chosen and
 * rejected token; scripts/bench_pytorch.py runs the same step): policy forward+backward over chosen and
 * rejected, reference forward, sigmoid DPO loss, clipping and AdamW. Also reported: the same step with
 * the reference log-probs cached (what {@code align4j dpo} does), matmul GFLOP/s per layout, memory.
 */
@Command(name = "bench", description = "Measure DPO-step tokens/s, matmul GFLOP/s and memory on fixed shapes.")
final class BenchCommand implements Callable<Integer> {
    /** A bench shape: GPT-2 architecture, sequences of seq tokens whose first prompt tokens are the prompt. */
    record Shape(String name, int layers, int hidden, int heads, int vocab, int seq, int prompt, int pairs) {
        ModelConfig config() {
            ObjectNode c = new ObjectMapper().createObjectNode();
            c.put("model_type", "gpt2").put("vocab_size", vocab).put("n_embd", hidden).put("n_layer", layers)
                    .put("n_head", heads).put("n_positions", Math.max(1024, seq));
            return ModelConfig.parse(c, "bench shape " + name);
        }

        /** Chosen + rejected tokens of one step, as a padded PyTorch batch counts them. */
        long tokens() {
            return 2L * pairs * seq;
        }
    }

    static final Map<String, Shape> SHAPES = Map.of(
            "small", new Shape("small", 6, 384, 6, 8192, 256, 128, 8),
            "gpt2-small", new Shape("gpt2-small", 12, 768, 12, 50257, 512, 256, 2));

    @Option(names = "--shape", defaultValue = "all", description = "small, gpt2-small or all (default ${DEFAULT-VALUE}).")
    String shape;
    @Option(names = "--steps", defaultValue = "3", description = "Timed steps per shape (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--warmup", defaultValue = "2",
            description = "Untimed steps first, as many as scripts/bench_pytorch.py takes (default ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--json", description = "One JSON object per shape on stdout.")
    boolean json;
    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        int threads = threadsOption.apply();
        List<Shape> shapes = new ArrayList<>();
        if (shape.equals("all")) {
            shapes.add(SHAPES.get("small"));
            shapes.add(SHAPES.get("gpt2-small"));
        } else {
            Shape s = SHAPES.get(shape);
            if (s == null) throw new InputException("--shape must be small, gpt2-small or all, got '" + shape + "'");
            shapes.add(s);
        }
        if (steps < 1) throw new InputException("--steps must be at least 1");
        ObjectMapper om = new ObjectMapper();
        for (Shape s : shapes) {
            Map<String, Object> r = run(s, threads);
            if (json) {
                System.out.println(om.writeValueAsString(r));
            } else {
                System.out.printf("%-10s  %8.0f tokens/s  (%.3f s/step; with cached reference %8.0f tokens/s)%n", s.name,
                        r.get("tokens_per_second"), r.get("seconds_per_step"), r.get("tokens_per_second_cached_ref"));
                System.out.printf("            matmul GFLOP/s %s  peak RSS %.0f MB, peak heap %.0f MB, %d threads%n",
                        r.get("matmul_gflops"), r.get("peak_rss_mb"), r.get("peak_heap_mb"), threads);
            }
        }
        return 0;
    }

    private Map<String, Object> run(Shape s, int threads) {
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

        double withRef = time(() -> {
            PairLogps.Result r = PairLogps.compute(ref, prompts, chosen, rejected, s.pairs, Integer.MAX_VALUE, null);
            step(dpo, pb, r, params, adam);
        });
        double cachedRef = time(() -> step(dpo, pb, cached, params, adam));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shape", s.name);
        out.put("tokens_per_second", s.tokens() / withRef);
        out.put("seconds_per_step", withRef);
        out.put("tokens_per_second_cached_ref", s.tokens() / cachedRef);
        out.put("seconds_per_step_cached_ref", cachedRef);
        out.put("matmul_gflops", matmulGflops(pb.batch().size(), s.hidden));
        out.put("peak_rss_mb", RssProbe.peakRssMb());
        out.put("peak_heap_mb", RssProbe.peakHeapMb());
        out.put("threads", threads);
        out.put("blas", NativeBlas.enabled() ? "openblas" : "java");
        out.put("matmul_precision", Bf16Gemm.enabled() ? "bf16" : "fp32");
        out.put("config", Map.of("layers", s.layers, "hidden", s.hidden, "heads", s.heads, "vocab", s.vocab,
                "seq", s.seq, "prompt", s.prompt, "pairs", s.pairs, "packed_tokens", pb.batch().size()));
        return out;
    }

    private static void step(DpoObjective dpo, PairBatch pb, PairLogps.Result ref, List<Tensor> params, AdamW adam) {
        dpo.train(pb, ref.chosen(), ref.rejected(), 1.0);
        GradClip.clip(params, 1.0);
        adam.step(1e-5);
        for (Tensor t : params) t.zeroGrad();
    }

    /** Mean seconds of the timed steps after the warmup steps. */
    private double time(Runnable step) {
        for (int i = 0; i < warmup; i++) step.run();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) step.run();
        return (System.nanoTime() - t0) / 1e9 / steps;
    }

    /** Best of three runs per layout on the MLP's up projection shape: m tokens, k = C, n = 4C. */
    private static Map<String, Double> matmulGflops(int m, int c) {
        int k = c, n = 4 * c;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = randomFloats(rnd, m * k), w = randomFloats(rnd, n * k), y = new float[m * n], dx = new float[m * k],
                dw = new float[n * k];
        double flops = 2.0 * m * n * k;
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
