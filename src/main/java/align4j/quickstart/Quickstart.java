package align4j.quickstart;

import align4j.eval.BestOfN;
import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.HfModel;
import align4j.loss.DpoLoss;
import align4j.loss.KlEstimators;
import align4j.loss.LossType;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.ScalarHead;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.train.DpoObjective;
import align4j.train.DpoTask;
import align4j.train.PairLogps;
import align4j.train.Pairs;
import align4j.train.PolicySampler;
import align4j.train.PpoConfig;
import align4j.train.PpoTrainer;
import align4j.train.ProgressDisplay;
import align4j.train.RewardFunction;
import align4j.train.RlLoop;
import align4j.train.RolloutLogps;
import align4j.train.Rollouts;
import align4j.train.TrainLoop;
import align4j.train.TrainingArgs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The quickstart experiment, a miniature of the DPO paper's controlled-sentiment study (Rafailov et al.
 * 2023, §6.1, Fig. 2 left), run stage by stage:
 * <ol>
 *   <li>pretrain a tiny GPT-2 from scratch on the review corpus ({@link ReviewTask}): the SFT model π_SFT,
 *       also the reference π_ref of every method;</li>
 *   <li>sample two completions per prompt from π_SFT at T = 1 and label each pair by a Bradley–Terry draw
 *       from the gold reward ({@link PreferenceLabels});</li>
 *   <li>DPO over several β; Preferred-FT (SFT on the chosen completions); PPO over several kl_coef with the
 *       gold reward as its reward (the paper's "PPO-GT"); best-of-N over several N, selecting by the gold
 *       reward;</li>
 *   <li>evaluate every policy by its mean gold reward and sequence-level KL(π‖π_SFT) ({@link PolicyEval}) on
 *       completions sampled at T = 1 with the same seed.</li>
 * </ol>
 */
public final class Quickstart {
    /** One point of the frontier. */
    public record MethodResult(String method, double param, PolicyEval.Result eval, double seconds, String sample) {}

    /** Everything the report needs. */
    public record Outcome(QuickstartSettings settings, List<MethodResult> methods, double seconds, int threads,
                          double labelAgreement, double sftLoss) {}

    private final QuickstartSettings s;
    private final Path out;
    private final PrintStream log;
    private final ObjectMapper json = new ObjectMapper();
    private ModelConfig cfg;
    private Map<String, Tensor> sftWeights;
    private Transformer ref;
    private int[][] evalPrompts;
    private int stage, stages;

    public Quickstart(QuickstartSettings settings, Path outputDir, PrintStream log) {
        this.s = settings;
        this.out = outputDir;
        this.log = log;
    }

    public Outcome run() throws IOException {
        long t0 = System.nanoTime();
        stages = 4 + s.dpoBetas().length + 1 + s.ppoKlCoefs().length;
        Files.createDirectories(out);
        Path tokDir = out.resolve("sft");
        ReviewTokenizerFiles.write(tokDir);
        List<MethodResult> results = new ArrayList<>();
        double sftLoss = pretrain();
        evalPrompts = new int[s.evalSamples()][];
        int[][] prompts = ReviewTask.prompts();
        for (int i = 0; i < evalPrompts.length; i++) evalPrompts[i] = prompts[i % prompts.length];

        begin("evaluate the SFT model");
        results.add(evaluate("sft", 0, new Transformer(cfg, sftWeights), 0));

        begin("preference pairs from the SFT model, Bradley–Terry labels from the gold reward");
        PreferenceLabels.Labelled labelled = preferencePairs();
        Pairs pairs = labelled.pairs();
        log.printf("  %d pairs; the label agrees with the higher gold reward on %.1f%% of them%n", pairs.size(),
                100 * labelled.agreement());
        PairLogps.Result refLogps = PairLogps.compute(ref, pairs.prompts(), pairs.chosen(), pairs.rejected(), 64, 1 << 14, null);

        for (double beta : s.dpoBetas()) {
            begin("dpo beta=" + beta);
            long t = System.nanoTime();
            Transformer policy = trainable();
            DpoTask task = new DpoTask(new DpoObjective(policy, DpoLoss.of(LossType.SIGMOID, beta)), pairs, refLogps,
                    null, null, 64);
            train("dpo", task, policy, args("dpo-beta" + beta, s.dpoLearningRate(), s.dpoBatch(), s.dpoEpochs()));
            results.add(evaluate("dpo", beta, policy, t));
        }

        begin("preferred-ft: SFT on the chosen completions");
        long tp = System.nanoTime();
        Transformer pft = trainable();
        train("preferred-ft", new CompletionLmTask(pft, pairs.prompts(), pairs.chosen()), pft,
                args("preferred-ft", s.preferredFtLearningRate(), s.dpoBatch(), s.preferredFtEpochs()));
        results.add(evaluate("preferred-ft", 0, pft, tp));

        for (double coef : s.ppoKlCoefs()) {
            begin("ppo kl_coef=" + coef + " (reward: the gold scorer)");
            long t = System.nanoTime();
            results.add(ppo(coef, t));
        }

        begin("best-of-N from the SFT model, selected by the gold reward");
        results.addAll(bestOfN());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Outcome(s, results, seconds, align4j.tensor.Parallel.threads(), labelled.agreement(), sftLoss);
    }

    private void begin(String what) {
        stage++;
        log.printf("quickstart [%d/%d] %s%n", stage, stages, what);
        log.flush();
    }

    /** Stage 1: a GPT-2 of the configured shape, trained from random weights on the corpus. */
    private double pretrain() throws IOException {
        begin("pretrain the SFT model (GPT-2, " + s.layers() + " layers, " + s.hidden() + " wide) on "
                + s.corpus() + " generated reviews");
        ObjectNode c = json.createObjectNode();
        c.put("model_type", "gpt2");
        c.put("vocab_size", ReviewTask.vocab().size());
        c.put("n_embd", s.hidden());
        c.put("n_layer", s.layers());
        c.put("n_head", s.heads());
        c.put("n_positions", 64);
        c.put("bos_token_id", ReviewTask.eosId());
        c.put("eos_token_id", ReviewTask.eosId());
        c.putArray("architectures").add("GPT2LMHeadModel");
        cfg = ModelConfig.parse(c, "quickstart");
        sftWeights = ModelInit.random(cfg, s.seed());
        SplittableRandom rnd = new SplittableRandom(s.seed() ^ 0x5EED);
        int[][] prompts = ReviewTask.prompts(), p = new int[s.corpus()][], y = new int[s.corpus()][];
        for (int i = 0; i < s.corpus(); i++) {
            ReviewTask.Review r = ReviewTask.sample(rnd);
            p[i] = prompts[r.prompt()];
            y[i] = r.completion();
        }
        Transformer model = new Transformer(cfg, sftWeights);
        for (Tensor t : model.parameters()) t.zeroGrad();
        Map<String, Double> last = train("sft", new CompletionLmTask(model, p, y), model,
                args("sft", s.sftLearningRate(), s.sftBatch(), s.sftEpochs()));
        for (Tensor t : model.parameters()) t.grad = null;
        HfModel.save(out.resolve("sft"), cfg, sftWeights, HfLayout.forNew(cfg, DType.F32));
        ref = new Transformer(cfg, copy(sftWeights));
        double loss = last.getOrDefault("loss", Double.NaN);
        log.printf("  final training loss %.3f nats/token; model and tokenizer saved to %s%n", loss, out.resolve("sft"));
        return loss;
    }

    private Map<String, Double> train(String name, TrainLoop.Task task, Transformer model, TrainingArgs a) throws IOException {
        TrainLoop loop = new TrainLoop(a, task, model.parameters(), null);
        try (ProgressDisplay progress = ProgressDisplay.open("  " + name, loop.totalSteps(), 0)) {
            loop = new TrainLoop(a, task, model.parameters(), (step, total, loss, tokens) -> progress.update(step, tokens, loss));
            return loop.run();
        }
    }

    private TrainingArgs args(String dir, double lr, int batch, double epochs) {
        return new TrainingArgs(out.resolve("runs").resolve(dir), lr, batch, 64, 1, epochs, 0, 0.1, -1, "linear", 0.0,
                0.9, 0.999, 1e-8, 1.0, s.seed(), 10, -1, Integer.MAX_VALUE, -1, null);
    }

    /** A fresh trainable copy of the SFT weights. */
    private Transformer trainable() {
        Transformer m = new Transformer(cfg, copy(sftWeights));
        for (Tensor t : m.parameters()) t.zeroGrad();
        return m;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> w) {
        Map<String, Tensor> c = new LinkedHashMap<>();
        w.forEach((k, v) -> c.put(k, new Tensor(v.name, v.shape, v.data.clone())));
        return c;
    }

    private PolicySampler sampler(Transformer m) {
        return new PolicySampler(m, 1.0, 0, 1.0, s.maxNewTokens(), new int[] {ReviewTask.eosId()});
    }

    /** Samples from the policy with the evaluation seed (the same for every method) and scores them. */
    private MethodResult evaluate(String method, double param, Transformer policy, long startNanos) {
        for (Tensor t : policy.parameters()) t.grad = null;
        Rollouts r = sampler(policy).sample(evalPrompts, 1, s.seed() * 31 + 7);
        PolicyEval.Result e = PolicyEval.evaluate(policy, ref, r);
        double sec = startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
        String sample = ReviewTask.decode(r.prompts()[0]) + " | " + ReviewTask.decode(r.completions()[0]);
        log.printf("  %-12s %-6s gold reward %.3f ± %.3f   KL %.2f (MC %.2f)   e.g. \"%s\"%n", method,
                param == 0 ? "" : fmt(param), e.goldReward(), e.goldRewardSe(), e.kl(), e.klMc(), sample);
        return new MethodResult(method, param, e, sec, sample);
    }

    static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e6 ? String.valueOf((long) x) : String.valueOf(x);
    }

    private PreferenceLabels.Labelled preferencePairs() {
        int n = s.pairs();
        int[][] prompts = ReviewTask.prompts(), p = new int[n][];
        for (int i = 0; i < n; i++) p[i] = prompts[i % prompts.length];
        Rollouts r = sampler(ref).sample(p, 2, s.seed() * 31 + 3);
        return PreferenceLabels.label(r, s.labelTemperature(), new SplittableRandom(s.seed() * 31 + 5));
    }

    private MethodResult ppo(double coef, long startNanos) throws IOException {
        Transformer policy = trainable();
        ScalarHead valueHead = ScalarHead.zeros("v_head", cfg.hidden());
        for (Tensor t : valueHead.parameters()) t.zeroGrad();
        PpoConfig pc = new PpoConfig(4, 2, 0.2, 0.2, 0.1, 1.0, 0.95, KlEstimators.Estimator.K1, coef, false, 6, 10000,
                false, Double.NaN, 1.0, s.maxNewTokens(), PpoConfig.PolicyLoss.CLIP, 0, 1, false);
        RolloutLogps logps = new RolloutLogps(policy, valueHead, 1.0);
        RewardFunction gold = r -> {
            double[] g = PolicyEval.gold(r);
            float[] f = new float[g.length];
            for (int i = 0; i < g.length; i++) f[i] = (float) g[i];
            return f;
        };
        PpoTrainer ppo = new PpoTrainer(logps, new RolloutLogps(ref, null, 1.0), sampler(policy), gold, pc, 1.0);
        int[][] prompts = ReviewTask.prompts();
        int[][] promptSet = new int[s.ppoBatch() * s.ppoSteps()][];
        for (int i = 0; i < promptSet.length; i++) promptSet[i] = prompts[i % prompts.length];
        TrainingArgs a = new TrainingArgs(out.resolve("runs").resolve("ppo-kl" + coef), s.ppoLearningRate(), s.ppoBatch(),
                s.ppoBatch(), 1, 1, s.ppoSteps(), 0, 0, "constant", 0.0, 0.9, 0.999, 1e-8, 1.0, s.seed(), 5, -1,
                Integer.MAX_VALUE, -1, null);
        RlLoop loop = new RlLoop(a, promptSet, logps.parameters(), ppo, null);
        try (ProgressDisplay progress = ProgressDisplay.open("  ppo", loop.totalSteps(), 0)) {
            loop = new RlLoop(a, promptSet, logps.parameters(), ppo, (step, total, loss, tokens) -> progress.update(step, tokens, loss));
            loop.run();
        }
        return evaluate("ppo", coef, policy, startNanos);
    }

    /**
     * Best-of-N: for each evaluation prompt, the highest-gold-reward of N SFT samples (the first N of one
     * shared draw of max N, so the sweep is nested). Its KL to π_SFT is the analytic log N − (N−1)/N
     * ({@link BestOfN#analyticKl}; an upper bound here, since outcomes are discrete), not a sampled estimate:
     * π_BoN has no tractable per-token density.
     */
    private List<MethodResult> bestOfN() {
        long t = System.nanoTime();
        int maxN = 0;
        for (int n : s.bestOfN()) maxN = Math.max(maxN, n);
        Rollouts r = sampler(ref).sample(evalPrompts, maxN, s.seed() * 31 + 11);
        double[] g = PolicyEval.gold(r);
        List<MethodResult> res = new ArrayList<>();
        for (int n : s.bestOfN()) {
            double sum = 0, sq = 0;
            double[] best = new double[evalPrompts.length];
            String sample = null;
            for (int i = 0; i < evalPrompts.length; i++) {
                int arg = i * maxN;
                for (int j = 1; j < n; j++) if (g[i * maxN + j] > g[arg]) arg = i * maxN + j;
                best[i] = g[arg];
                sum += g[arg];
                if (i == 0) sample = ReviewTask.decode(r.prompts()[arg]) + " | " + ReviewTask.decode(r.completions()[arg]);
            }
            double mean = sum / best.length;
            for (double b : best) sq += (b - mean) * (b - mean);
            double se = best.length > 1 ? Math.sqrt(sq / (best.length - 1) / best.length) : 0;
            PolicyEval.Result e = new PolicyEval.Result(mean, se, BestOfN.analyticKl(n), Double.NaN, Double.NaN);
            log.printf("  %-12s %-6s gold reward %.3f ± %.3f   KL %.2f (analytic)   e.g. \"%s\"%n", "best-of-n", n,
                    mean, se, e.kl(), sample);
            res.add(new MethodResult("best-of-n", n, e, (System.nanoTime() - t) / 1e9, sample));
        }
        return res;
    }
}
