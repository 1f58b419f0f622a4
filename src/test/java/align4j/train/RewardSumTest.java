package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.InputException;
import align4j.data.DatasetRecord;
import align4j.data.RecordLocation;
import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several rewards at once: TRL's weighted sum, its per-function metrics, and rewards that read the prompt's record. */
class RewardSumTest {
    static final Rollouts FOUR = new Rollouts(new int[][] {{1}, {1}, {2}, {2}}, new int[][] {{3}, {4}, {5}, {6}}, new boolean[4]);

    @Test
    void theRewardIsTheWeightedSumAndEachFunctionIsLoggedByName() {
        RewardFunction a = r -> new float[] {1, 0, 1, 1}, b = r -> new float[] {0.5f, 2, -1, 0.5f};
        Stats st = new Stats();
        float[] total = new RewardSum(List.of(new RewardSum.Term("accuracy", 1, a), new RewardSum.Term("format", 0.2, b))).score(FOUR, st);
        // 1·a + 0.2·b, by hand
        assertArrayEquals(new float[] {1.1f, 0.4f, 0.8f, 1.1f}, total, 1e-6f);
        assertEquals(0.75, st.mean("rewards/accuracy/mean"), 1e-12);
        assertEquals(0.5, st.mean("rewards/accuracy/std"), 1e-12); // unbiased: sqrt(0.75/3)
        assertEquals(0.5, st.mean("rewards/format/mean"), 1e-12);
        assertEquals(Math.sqrt(4.5 / 3), st.mean("rewards/format/std"), 1e-12); // deviations 0, 1.5, −1.5, 0
        assertEquals(List.of("rewards/accuracy/mean", "rewards/accuracy/std", "rewards/format/mean", "rewards/format/std"),
                List.copyOf(st.means("").keySet()));
    }

    @Test
    void oneTermOfWeightOneScoresExactlyAsTheFunctionAlone() {
        RewardFunction f = r -> new float[] {0.1f, 1e-7f, 3.3f, -2.7f};
        assertArrayEquals(f.score(FOUR), new RewardSum(List.of(new RewardSum.Term("f", 1, f))).score(FOUR));
        assertThrows(InputException.class, () -> new RewardSum(List.of(new RewardSum.Term("f", 1, f), new RewardSum.Term("f", 2, f))));
        assertThrows(InputException.class, () -> new RewardSum(List.of()));
    }

    /** Each completion's reward reads its own prompt's record: G consecutive completions per prompt share one. */
    @Test
    void programmaticRewardsReadTheColumnsOfEachCompletionsRecord() throws Exception {
        ObjectMapper json = new ObjectMapper();
        DatasetRecord three = new DatasetRecord(RecordLocation.line("p.jsonl", 1), (ObjectNode) json.readTree("{\"prompt\": \"1+2\", \"solution\": \"3\"}"));
        DatasetRecord none = new DatasetRecord(RecordLocation.line("p.jsonl", 2), (ObjectNode) json.readTree("{\"prompt\": \"2+2\"}"));
        try (Tokenizer tok = Tokenizer.load(TextFixtures.tokenizerDir("llama2"))) {
            int[] p1 = tok.encode("1+2", false), p2 = tok.encode("2+4", false);
            int[][] c = {tok.encode("\\boxed{3}", false), tok.encode("\\boxed{4}", false), tok.encode("\\boxed{6}", false), tok.encode("The answer is 3", false)};
            DatasetRecord six = new DatasetRecord(RecordLocation.line("p.jsonl", 3), (ObjectNode) json.readTree("{\"prompt\": \"2+4\", \"answer\": 6}"));
            Rollouts r = new Rollouts(new int[][] {p1, p1, p2, p2}, c, new boolean[4]).withPromptRecords(new DatasetRecord[] {three, six}, 2);
            RewardFunction accuracy = RewardFunction.programmatic("accuracy", 32000, tok);
            assertArrayEquals(new float[] {1, 0, 1, 0}, accuracy.score(r));
            assertEquals(three, r.select(new int[] {1}).records()[0]);
            accuracy.check(List.of(three, six));
            var e = assertThrows(InputException.class, () -> new RewardSum(List.of(new RewardSum.Term("accuracy", 1, accuracy))).check(List.of(three, none)));
            assertTrue(e.getMessage().contains("p.jsonl, line 2") && e.getMessage().contains("'solution'"), e.getMessage());
            assertThrows(InputException.class, () -> accuracy.check(List.of()), "prompts without records");
        }
    }
}
