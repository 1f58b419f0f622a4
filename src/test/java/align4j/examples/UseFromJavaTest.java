package align4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.api.Dpo;
import align4j.api.ModelSettings;
import align4j.api.Policy;
import align4j.api.RewardTraining;
import align4j.api.TrainResult;
import align4j.data.Pairs;
import align4j.data.PreferencePair;
import align4j.eval.RewardModelScorer;
import align4j.generate.Generation;
import align4j.generate.SamplingParams;
import align4j.loss.BradleyTerryLoss;
import align4j.model.ModelConfig;
import align4j.model.ModelInit;
import align4j.quickstart.ReviewTask;
import align4j.quickstart.ReviewTokenizerFiles;
import align4j.train.DpoConfig;
import align4j.train.PairLogps;
import align4j.train.TrainingArgs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use from Java" examples, compiled and run as a user would run them. The code between each
 * {@code // example: NAME} and {@code // end} marker is what README.md shows (checked below, so the two cannot
 * drift apart); the folders they read are a small GPT-2 with the quickstart's word-level tokenizer.
 */
class UseFromJavaTest {
    @TempDir
    static Path tmp;
    static Path modelDir, rewardModelDir;

    /** A 2-layer GPT-2 with random weights and the review tokenizer; a reward model on it trained to like "great". */
    @BeforeAll
    static void folders() throws IOException {
        modelDir = tmp.resolve("gpt2-reviews");
        ObjectNode c = new ObjectMapper().createObjectNode().put("model_type", "gpt2").put("vocab_size", ReviewTask.vocab().size())
                .put("n_embd", 32).put("n_layer", 2).put("n_head", 2).put("n_positions", 64)
                .put("bos_token_id", ReviewTask.eosId()).put("eos_token_id", ReviewTask.eosId());
        ModelConfig cfg = ModelConfig.parse(c, "example");
        ReviewTokenizerFiles.write(modelDir);
        Policy.of(cfg, ModelInit.random(cfg, 7), modelDir).save(modelDir);

        rewardModelDir = tmp.resolve("reward-model");
        RewardTraining.Model rm = RewardTraining.Model.load(modelDir, ModelSettings.defaults(), null, 1);
        Pairs likes = Policy.load(modelDir).tokenize(List.of(PreferencePair.of("the film was", "great .", "awful ."),
                PreferencePair.of("the plot was", "great .", "awful .")));
        RewardTraining.train(rm, new BradleyTerryLoss(0), TrainingArgs.defaults(tmp.resolve("rm-run")).withLearningRate(1e-2)
                .withMaxSteps(20).withBatchSize(2), likes, null, null, null);
        rm.save(rewardModelDir);
    }

    @Test
    void dpoFromPairsInMemoryRaisesTheChosenOverTheRejected() throws IOException {
        Path outputDir = tmp.resolve("dpo-out");
        // example: dpo
        Policy policy = Policy.load(modelDir);                       // a Hugging Face model folder with its tokenizer
        Pairs pairs = policy.tokenize(List.of(
                PreferencePair.of("the film was", "great .", "awful ."),
                PreferencePair.of("the music was", "beautiful .", "boring .")));
        TrainResult result = Dpo.train(policy, null, DpoConfig.defaults().withBeta(0.1),
                TrainingArgs.defaults(outputDir).withLearningRate(1e-3).withBatchSize(2).withMaxSteps(10), pairs, null);
        policy.save(outputDir);                                      // a folder transformers loads
        System.out.println("loss " + result.metric("loss") + ", margin " + result.metric("rewards/margins"));
        // end
        assertEquals(10, result.steps());
        // the log-ratio margin DPO maximises, measured by a separate forward pass of the saved and the original model
        PairLogps.Result before = Policy.load(modelDir).logps(pairs, 8), after = Policy.load(outputDir).logps(pairs, 8);
        for (int i = 0; i < pairs.size(); i++) {
            double marginBefore = before.chosen()[i] - before.rejected()[i], marginAfter = after.chosen()[i] - after.rejected()[i];
            assertTrue(marginAfter > marginBefore + 0.1, "pair " + i + ": margin " + marginBefore + " -> " + marginAfter);
        }
        assertTrue(result.metric("rewards/margins") > 0, result.metrics().toString());
    }

    @Test
    void rewardModelScoresTheCompletionItWasTrainedToPreferHigher() throws IOException {
        // example: score
        RewardModelScorer rm = RewardModelScorer.load(rewardModelDir);
        double[] r = rm.score(List.of("the film was", "the film was"), List.of("great .", "awful ."));
        // end
        assertTrue(r[0] > r[1], Arrays.toString(r));
        // the same scores from token ids, tokenized here by hand: the prompt's words (this tokenizer adds no BOS), the
        // completion's words + EOS, as TRL's reward training appends it
        int eos = ReviewTask.eosId();
        double[] ids = rm.model().score(List.of(ReviewTask.encode("the film was"), ReviewTask.encode("the film was")),
                List.of(append(ReviewTask.encode("great ."), eos), append(ReviewTask.encode("awful ."), eos)));
        assertEquals(ids[0], r[0], 1e-12);
        assertEquals(ids[1], r[1], 1e-12);
    }

    @Test
    void greedyGenerationPicksTheMostLikelyTokenAtEveryStep() throws IOException {
        // example: generate
        Policy policy = Policy.load(modelDir);
        List<Generation> out = policy.generate(List.of("the film was"), SamplingParams.greedy(6, List.of()), 42);
        System.out.println(out.get(0).text());
        // end
        int[] prompt = policy.tokenize(List.of(PreferencePair.of("the film was", "x", "x"))).prompts()[0];
        int[] gen = out.get(0).tokenIds();
        int vocab = policy.config().vocabSize();
        // every candidate token after every generated prefix, scored by the full (training) forward pass
        List<int[]> ps = new ArrayList<>(), cs = new ArrayList<>();
        for (int k = 0; k < gen.length; k++) {
            for (int v = 0; v < vocab; v++) {
                int[] cand = Arrays.copyOf(gen, k + 1);
                cand[k] = v;
                ps.add(prompt);
                cs.add(cand);
            }
        }
        int[][] p = ps.toArray(new int[0][]), c = cs.toArray(new int[0][]);
        PairLogps.Result lp = policy.logps(new Pairs(p, c, c, new String[p.length]), 64);
        for (int k = 0; k < gen.length; k++) {
            int best = 0;
            for (int v = 1; v < vocab; v++) if (lp.chosen()[k * vocab + v] > lp.chosen()[k * vocab + best]) best = v;
            assertEquals(best, gen[k], "step " + k);
        }
    }

    @Test
    void readmeShowsExactlyTheseExamples() throws IOException {
        String readme = Files.readString(Path.of("README.md")), source = Files.readString(
                Path.of("src/test/java/align4j/examples/UseFromJavaTest.java"));
        Matcher m = Pattern.compile("// example: (\\w+)\\n(.*?)\\n\\s*// end", Pattern.DOTALL).matcher(source);
        int found = 0;
        while (m.find()) {
            String code = m.group(2).stripIndent().strip();
            assertTrue(readme.contains(code), "README.md lacks the example '" + m.group(1) + "':\n" + code);
            found++;
        }
        assertEquals(3, found);
    }

    private static int[] append(int[] a, int last) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = last;
        return b;
    }
}
