package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.io.DType;
import align4j.io.HfLayout;
import align4j.io.LoadedModel;
import align4j.io.RewardModelFolder;
import align4j.model.ModelConfig;
import align4j.model.RewardModel;
import align4j.tensor.Tensor;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RewardFunctionTest {

    @Test
    void targetTokenIsTheFractionOfCompletionTokensEqualToTheTarget() {
        Rollouts r = new Rollouts(new int[][] {{1}, {2, 3}}, new int[][] {{3, 3, 4, 3}, {5}}, new boolean[2]);
        assertArrayEquals(new float[] {0.75f, 0f}, RewardFunction.targetToken(3).score(r));
        assertThrows(IllegalArgumentException.class, () -> RewardFunction.programmatic("target-token:16", 16));
        // a text function needs a tokenizer to decode with; one that compares with a reference cannot run in RL
        assertThrows(IllegalArgumentException.class, () -> RewardFunction.programmatic("length", 16));
        assertThrows(IllegalArgumentException.class, () -> RewardFunction.programmatic("nope", 16));
    }

    /** Text functions of the shared registry score the decoded completion, as collect and best-of-n do. */
    @Test
    void textFunctionsScoreTheDecodedCompletion() throws Exception {
        try (Tokenizer tok = Tokenizer.load(TextFixtures.tokenizerDir("llama2"))) {
            int[] hello = tok.encode("hello world again", false), hi = tok.encode("hi", false);
            Rollouts r = new Rollouts(new int[][] {{1}, {1}}, new int[][] {hello, hi}, new boolean[2]);
            assertArrayEquals(new float[] {3f, 1f}, RewardFunction.programmatic("word-count", 32000, tok).score(r));
            assertArrayEquals(new float[] {17f, 2f}, RewardFunction.programmatic("length", 32000, tok).score(r));
            assertThrows(IllegalArgumentException.class, () -> RewardFunction.programmatic("exact-match", 32000, tok));
        }
    }

    /** The batch adapter gives rollout i the score the reward model gives (prompt i, completion i) alone. */
    @Test
    void rewardModelScoresEachRolloutInOrderAndGetsNoGradients() {
        ModelConfig cfg = RlFixtures.config();
        RewardModel rm = RewardModelFolder.fromLanguageModel(new LoadedModel(cfg, RlFixtures.weights(cfg, 8, 0.3),
                HfLayout.forNew(cfg, DType.F32)), 0, 1);
        Rollouts r = RlFixtures.rollouts(3, 2, cfg.vocabSize(), 6);
        float[] s = RewardFunction.of(rm).score(r);
        for (int i = 0; i < r.size(); i++) {
            double alone = rm.score(List.of(r.prompts()[i]), List.of(r.completions()[i]))[0];
            assertEquals(alone, s[i], 1e-5, "rollout " + i);
        }
        assertNotEquals(s[0], s[1]);
        for (Tensor t : rm.parameters()) assertNull(t.grad, t.name);
    }
}
