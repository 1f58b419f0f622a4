package align4j.quickstart;

import align4j.api.Dpo;
import align4j.api.Policy;
import align4j.api.Ppo;
import align4j.api.Prompts;
import align4j.api.RewardTraining;
import align4j.api.RolloutSampling;
import align4j.api.Sft;
import align4j.data.Pairing;
import align4j.data.Pairs;
import align4j.data.ScoredPairs;
import align4j.data.SequenceExample;
import align4j.eval.BestOfN;
import align4j.io.DType;
import align4j.io.HfModel;
import align4j.io.RewardModelFolder;
import align4j.loss.BradleyTerryLoss;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.model.RewardModel;
import align4j.model.Transformer;
import align4j.tensor.Tensor;
import align4j.train.DpoConfig;
import align4j.train.PairLogps;
import align4j.train.PolicySampler;
import align4j.train.PpoConfig;
import align4j.train.RewardFunction;
import align4j.train.RewardTask;
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
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The quickstart experiment, a miniature of the DPO paper's controlled-sentiment study (Rafailov et al.
 * 2023, §6.1, Fig. 2 left), run stage by stage:
 * <ol>
 *   <li>pretrain a tiny GPT-2 from scratch on the review corpus ({@link ReviewTask}): the SFT model π_SFT,
 *       also the reference π_ref of every method;</li>
 *   <li>sample two completions per prompt from π_SFT at T = 1 and label each pair by a Bradley–Terry draw
 *       from the gold reward ({@link ScoredPairs#sampled});</li>
 *   <li>DPO over several β; Preferred-FT (SFT on the chosen completions); PPO over several kl_coef with the
 *       gold reward as its reward (the paper's "PPO-GT"); best-of-N over several N, selecting by the gold
 *       reward;</li>
 *   <li>evaluate every policy by its mean gold reward and sequence-level KL(π‖π_SFT) ({@link PolicyEval}) on
 *       completions sampled at T = 1 with the same seed.</li>
 * </ol>
 */
public final class Quickstart {
    /** One point of the frontier. */
    public record MethodResult(String method, double param, int step, PolicyEval.Result eval, String sample) {}

    /** Everything the report needs. */
    public record Outcome(QuickstartSettings settings, List<MethodResult> methods, List<MethodResult> checkpoints,
                          double seconds, double cpuSeconds, int threads, double labelAgreement, double sftLoss,
                          double rewardAccuracy, double rewardGoldAgreement) {}

    private final QuickstartSettings s;
    private final Path out;
    private final PrintStream log;
    private final ObjectMapper json = new ObjectMapper();
    private ModelConfig cfg;
    private Map<String, Tensor> sftWeights;
    private Transformer ref;
    private int[][] evalPrompts;
    private int stage, stages;
    private double labelAgreement, rewardAccuracy, rewardGoldAgreement;
    private long startNanos;
    private final List<MethodResult> checkpoints = new ArrayList<>();

    /** CPU time of this JVM so far (all threads), to compare with wall time on a shared machine. */
    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    public Quickstart(QuickstartSettings settings, Path outputDir, PrintStream log) {
        this.s = settings;
        this.out = outputDir;
        this.log = log;
    }

    public Outcome run() throws IOException {
        long t0 = startNanos = System.nanoTime();
        stages = 6 + s.dpoBetas().length + s.ppoKlCoefs().length + s.ppoGtKlCoefs().length;
        Files.createDirectories(out);
        Path tokDir = out.resolve("sft");
        ReviewTokenizerFiles.write(tokDir);
        List<MethodResult> results = new ArrayList<>();
        double sftLoss = pretrain();
        evalPrompts = new int[s.evalSamples()][];
        int[][] prompts = ReviewTask.prompts();
        for (int i = 0; i < evalPrompts.length; i++) evalPrompts[i] = prompts[i % prompts.length];

        begin("evaluate the SFT model");
        results.add(evaluate("sft", 0, 0, new Transformer(cfg, sftWeights), true));

        begin("preference pairs from the SFT model, Bradley–Terry labels from the gold reward");
        Pairs pairs = preferencePairs();
        log.printf(Locale.ROOT, "  %d pairs from %d prompts x %d samples; the label agrees with the higher gold reward on %.1f%% of them%n",
                pairs.size(), s.prefixes(), s.samplesPerPrefix(), 100 * labelAgreement);
        PairLogps.Result refLogps = PairLogps.compute(ref, pairs.prompts(), pairs.chosen(), pairs.rejected(), 64, 1 << 14, null);

        for (double beta : s.dpoBetas()) {
            begin("dpo beta=" + beta);
            Policy policy = Policy.of(cfg, copy(sftWeights), null);
            int steps = Dpo.train(policy, refLogps, null, DpoConfig.defaults().withBeta(beta),
                    args("dpo-beta" + beta, s.dpoLearningRate(), s.dpoBatch(), s.dpoEpochs()), pairs, null,
                    listener("dpo", beta, policy.model())).steps();
            results.add(evaluate("dpo", beta, steps, policy.model(), true));
        }

        begin("preferred-ft: SFT on the chosen completions");
        Policy pft = Policy.of(cfg, copy(sftWeights), null);
        int pftSteps = Sft.train(pft, args("preferred-ft", s.preferredFtLearningRate(), s.dpoBatch(), s.preferredFtEpochs()),
                examples(pairs.prompts(), pairs.chosen()), null).steps();
        results.add(evaluate("preferred-ft", 0, pftSteps, pft.model(), true));

        begin("reward model: the SFT model with a score head, trained on the preference pairs (Bradley–Terry loss)");
        RewardModel rm = rewardModel(pairs);
        for (double coef : s.ppoKlCoefs()) {
            begin("ppo kl_coef=" + coef + " (reward: the learned reward model)");
            results.add(ppo("ppo", coef, RewardFunction.of(rm)));
        }
        for (double coef : s.ppoGtKlCoefs()) {
            begin("ppo-gt kl_coef=" + coef + " (reward: the gold scorer itself)");
            RewardFunction gold = r -> {
                double[] g = PolicyEval.gold(r);
                float[] f = new float[g.length];
                for (int i = 0; i < g.length; i++) f[i] = (float) g[i];
                return f;
            };
            results.add(ppo("ppo-gt", coef, gold));
        }

        begin("best-of-N from the SFT model, selected by the reward model and by the gold reward");
        results.addAll(bestOfN(rm));
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Outcome(s, results, checkpoints, seconds, cpuSeconds(), align4j.tensor.Parallel.threads(),
                labelAgreement, sftLoss, rewardAccuracy, rewardGoldAgreement);
    }

    private void begin(String what) {
        stage++;
        log.printf(Locale.ROOT, "quickstart [%d/%d] %5.1f s  %s%n", stage, stages, (System.nanoTime() - startNanos) / 1e9, what);
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
        Policy sft = Policy.of(cfg, sftWeights, null);
        Map<String, Double> last = Sft.train(sft, args("sft", s.sftLearningRate(), s.sftBatch(), s.sftEpochs()),
                examples(p, y), null).metrics();
        sft.save(out.resolve("sft"));
        ref = new Transformer(cfg, copy(sftWeights));
        double loss = last.getOrDefault("loss", Double.NaN);
        log.printf(Locale.ROOT, "  final training loss %.3f nats/token; model and tokenizer saved to %s%n", loss, out.resolve("sft"));
        return loss;
    }

    /**
     * A training job's step callback: an evaluation of the policy after steps ⌊total·k/(K+1)⌋, k = 1..K (K = checkpoint_evals), as the DPO paper evaluates its runs along training (Fig. 2
     * left plots every checkpoint); the final one is evaluated by the caller.
     */
    private TrainLoop.Listener listener(String method, double param, Transformer policy) {
        return (step, total, loss, tokens) -> {
            for (int k = 1; k <= s.checkpointEvals(); k++) {
                if (step == total * k / (s.checkpointEvals() + 1) && step < total) {
                    checkpoints.add(evaluate(method, param, step, policy, false));
                }
            }
        };
    }

    private TrainingArgs args(String dir, double lr, int batch, double epochs) {
        return TrainingArgs.defaults(out.resolve("runs").resolve(dir)).withLearningRate(lr).withBatchSize(batch)
                .withEvalBatchSize(64).withNumTrainEpochs(epochs).withWarmupRatio(0.1).withSeed(s.seed())
                .withSaveSteps(Integer.MAX_VALUE);
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
    private MethodResult evaluate(String method, double param, int step, Transformer policy, boolean last) {
        if (last) for (Tensor t : policy.parameters()) t.freeze();
        int[][] prompts = last ? evalPrompts : java.util.Arrays.copyOf(evalPrompts, Math.min(evalPrompts.length, s.checkpointSamples()));
        Rollouts r = sampler(policy).sample(prompts, 1, s.seed() * 31 + 7);
        PolicyEval.Result e = PolicyEval.evaluate(policy, ref, r);
        String sample = ReviewTask.decode(r.prompts()[0]) + " | " + ReviewTask.decode(r.completions()[0]);
        log.printf(Locale.ROOT, "  %-12s %-6s %s gold reward %.3f ± %.3f   KL %.2f (MC %.2f)   e.g. \"%s\"%n", method,
                param == 0 ? "" : fmt(param), last ? "final     " : "step " + String.format("%-5d", step), e.goldReward(),
                e.goldRewardSe(), e.kl(), e.klMc(), sample);
        return new MethodResult(method, param, step, e, sample);
    }

    static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e6 ? String.valueOf((long) x) : String.valueOf(x);
    }

    /**
     * The DPO paper's recipe (App. C.1: 4 samples per prefix, all 6 pairs) in miniature: samplesPerPrefix SFT
     * samples of each prompt at T = 1, every pair with different gold rewards labelled by one Bradley–Terry draw,
     * P(a ≻ b) = σ((r(a) − r(b))/τ) ({@link ScoredPairs#sampled}; equal rewards make no pair).
     */
    private Pairs preferencePairs() {
        int n = s.prefixes(), k = s.samplesPerPrefix();
        int[][] prompts = ReviewTask.prompts(), p = new int[n][];
        for (int i = 0; i < n; i++) p[i] = prompts[i % prompts.length];
        Rollouts r = sampler(ref).sample(p, k, s.seed() * 31 + 3);
        double[] g = PolicyEval.gold(r);
        SplittableRandom rng = new SplittableRandom(s.seed() * 31 + 5);
        List<int[]> pp = new ArrayList<>(), cc = new ArrayList<>(), rr = new ArrayList<>();
        int agree = 0;
        for (int i = 0; i < n; i++) {
            double[] scores = java.util.Arrays.copyOfRange(g, i * k, (i + 1) * k);
            for (ScoredPairs.Pair pair : ScoredPairs.sampled(scores, Pairing.ALL_PAIRS, s.labelTemperature(), rng)) {
                pp.add(p[i]);
                cc.add(r.completions()[i * k + pair.chosen()]);
                rr.add(r.completions()[i * k + pair.rejected()]);
                if (scores[pair.chosen()] > scores[pair.rejected()]) agree++;
            }
        }
        labelAgreement = pp.isEmpty() ? Double.NaN : (double) agree / pp.size();
        String[] src = new String[pp.size()];
        for (int i = 0; i < src.length; i++) src[i] = "quickstart pair " + i;
        return new Pairs(pp.toArray(new int[0][]), cc.toArray(new int[0][]), rr.toArray(new int[0][]), src);
    }

    /** Prompt–completion examples with completion-only loss, as TRL's SFT trains them. */
    private static List<SequenceExample> examples(int[][] prompts, int[][] completions) {
        List<SequenceExample> ex = new ArrayList<>(prompts.length);
        for (int i = 0; i < prompts.length; i++) {
            int[] ids = java.util.Arrays.copyOf(prompts[i], prompts[i].length + completions[i].length);
            System.arraycopy(completions[i], 0, ids, prompts[i].length, completions[i].length);
            boolean[] mask = new boolean[ids.length];
            java.util.Arrays.fill(mask, prompts[i].length, ids.length, true);
            ex.add(new SequenceExample("review " + i, ids, prompts[i].length, mask, null));
        }
        return ex;
    }

    /**
     * The reward model PPO and best-of-N use (the paper's PPO learns one from the same preferences): the SFT
     * model's backbone with a fresh score head, trained with the Bradley–Terry loss −log σ(r_w − r_l) on the pairs
     * DPO sees ({@link RewardTask}, TRL's RewardTrainer).
     */
    private RewardModel rewardModel(Pairs pairs) throws IOException {
        RewardModel rm = RewardModelFolder.fromLanguageModel(HfModel.load(out.resolve("sft")), ReviewTask.eosId(), s.seed() + 1)
                .scoreBatchSize(64);
        Map<String, Double> last = RewardTraining.train(new RewardTraining.Model(rm, null, null, null, DType.F32),
                new BradleyTerryLoss(0.0), args("reward", s.rewardLearningRate(), s.dpoBatch(), s.rewardEpochs()), pairs, null,
                null, null).metrics();
        rewardAccuracy = last.getOrDefault("accuracy", Double.NaN);
        log.printf(Locale.ROOT, "  final training loss %.3f, accuracy %.3f on the (noisy) labels%n",
                last.getOrDefault("loss", Double.NaN), rewardAccuracy);
        return rm;
    }

    /**
     * PPO with TRL's defaults but kl_coef, T = 1, the review length, and each step's ppoBatch rollouts in two
     * minibatches ({@link Ppo#train}, as a Java user calls it); the reference is π_SFT.
     */
    private MethodResult ppo(String method, double coef, RewardFunction reward) throws IOException {
        Policy policy = Policy.of(cfg, copy(sftWeights), null);
        int miniBatches = 2;
        PpoConfig pc = PpoConfig.defaults().withNumMiniBatches(miniBatches).withKlCoef(coef).withTemperature(1.0)
                .withResponseLength(s.maxNewTokens());
        int[][] prompts = ReviewTask.prompts();
        int[][] promptSet = new int[s.ppoBatch() * s.ppoSteps()][];
        for (int i = 0; i < promptSet.length; i++) promptSet[i] = prompts[i % prompts.length];
        TrainingArgs a = TrainingArgs.defaults(out.resolve("runs").resolve(method + "-kl" + coef))
                .withLearningRate(s.ppoLearningRate()).withBatchSize(s.ppoBatch() / miniBatches).withEvalBatchSize(s.ppoBatch())
                .withNumTrainEpochs(1).withMaxSteps(s.ppoSteps()).withWarmupSteps(0).withLrSchedulerType("constant")
                .withSeed(s.seed()).withLoggingSteps(5).withSaveSteps(Integer.MAX_VALUE);
        Ppo.train(policy, Policy.of(cfg, ref.parameterMap(), null), reward, Prompts.of(promptSet), pc,
                RolloutSampling.defaults().withStopTokenIds(List.of(ReviewTask.eosId())), a, listener(method, coef, policy.model()));
        return evaluate(method, coef, s.ppoSteps(), policy.model(), true);
    }

    /**
     * Best-of-N: for each evaluation prompt, the best of N SFT samples (the first N of one shared draw of max N,
     * so the sweep is nested), selected by the learned reward model ("best-of-n", as the paper's TL;DR and HH
     * experiments select) and, as an oracle, by the gold reward itself ("best-of-n-gold"). Its KL to π_SFT is
     * the analytic log N − (N−1)/N ({@link BestOfN#analyticKl}; an upper bound here, since outcomes are
     * discrete), not a sampled estimate: π_BoN has no tractable per-token density.
     */
    private List<MethodResult> bestOfN(RewardModel rm) {
        int maxN = 0;
        for (int n : s.bestOfN()) maxN = Math.max(maxN, n);
        Rollouts r = sampler(ref).sample(evalPrompts, maxN, s.seed() * 31 + 11);
        double[] g = PolicyEval.gold(r);
        double[] learned = rm.score(java.util.Arrays.asList(r.prompts()), java.util.Arrays.asList(r.completions()));
        rewardGoldAgreement = agreement(learned, g, maxN);
        log.printf(Locale.ROOT, "  the reward model orders %.1f%% of these SFT samples' pairs (same prompt, different gold reward) as the gold reward does%n",
                100 * rewardGoldAgreement);
        List<MethodResult> res = new ArrayList<>();
        for (String method : new String[] {"best-of-n", "best-of-n-gold"}) {
            double[] selectBy = method.equals("best-of-n") ? learned : g;
            for (int n : s.bestOfN()) {
                double sum = 0, sq = 0;
                double[] best = new double[evalPrompts.length];
                String sample = null;
                for (int i = 0; i < evalPrompts.length; i++) {
                    int arg = i * maxN;
                    for (int j = 1; j < n; j++) if (selectBy[i * maxN + j] > selectBy[arg]) arg = i * maxN + j;
                    best[i] = g[arg];
                    sum += g[arg];
                    if (i == 0) sample = ReviewTask.decode(r.prompts()[arg]) + " | " + ReviewTask.decode(r.completions()[arg]);
                }
                double mean = sum / best.length;
                for (double b : best) sq += (b - mean) * (b - mean);
                double se = best.length > 1 ? Math.sqrt(sq / (best.length - 1) / best.length) : 0;
                PolicyEval.Result e = new PolicyEval.Result(mean, se, BestOfN.analyticKl(n), Double.NaN, Double.NaN);
                log.printf(Locale.ROOT, "  %-14s %-6s gold reward %.3f ± %.3f   KL %.2f (analytic)   e.g. \"%s\"%n", method, n,
                        mean, se, e.kl(), sample);
                res.add(new MethodResult(method, n, 0, e, sample));
            }
        }
        return res;
    }

    /** Of all pairs within each group of k with different gold rewards, the fraction the scores order alike. */
    static double agreement(double[] scores, double[] gold, int k) {
        long agree = 0, pairs = 0;
        for (int o = 0; o + k <= gold.length; o += k) {
            for (int i = o; i < o + k; i++) {
                for (int j = i + 1; j < o + k; j++) {
                    if (gold[i] == gold[j]) continue;
                    pairs++;
                    if ((gold[i] > gold[j]) == (scores[i] > scores[j])) agree++;
                }
            }
        }
        return pairs == 0 ? Double.NaN : (double) agree / pairs;
    }
}
