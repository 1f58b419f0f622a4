package align4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import align4j.InputException;
import align4j.data.DatasetRecord;
import align4j.data.RecordLocation;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule-based rewards of the registry, by name, on hand-made completions and records. */
class RuleRewardsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static DatasetRecord record(int line, String json) throws Exception {
        return new DatasetRecord(RecordLocation.line("math.jsonl", line), (ObjectNode) JSON.readTree(json));
    }

    static Sample s(String completion, DatasetRecord rec) {
        return new Sample(null, null, completion, null, null, rec);
    }

    static double[] score(String name, Sample... samples) {
        return RewardFunctions.get(name).score(List.of(samples));
    }

    @Test
    void accuracyComparesTheFinalAnswerWithTheSolutionOrAnswerColumn() throws Exception {
        DatasetRecord half = record(1, "{\"prompt\": \"1/2?\", \"solution\": \"\\\\frac{1}{2}\"}");
        DatasetRecord gsm = record(2, "{\"prompt\": \"clips?\", \"answer\": \"48/2 = 24\\n#### 1,072\"}");
        DatasetRecord number = record(3, "{\"prompt\": \"p\", \"solution\": 7}");
        assertArrayEquals(new double[] {1, 1, 0, 0, 1, 1, 0},
                score("accuracy", s("so \\boxed{0.5}", half), s("<answer>50%</answer>", half), s("\\boxed{0.51}", half),
                        s("0.5", half), s("The answer is 1072.", gsm), s("#### 7", number), s("#### 8", number)));
        assertArrayEquals(score("accuracy", s("\\boxed{1/2}", half)), score("math", s("\\boxed{1/2}", half)));
    }

    @Test
    void aRewardThatNeedsAColumnTheRecordLacksNamesTheRecordAndTheColumn() throws Exception {
        DatasetRecord noSolution = record(4, "{\"prompt\": \"p\", \"question\": \"q\"}");
        var e = assertThrows(InputException.class, () -> score("accuracy", s("\\boxed{1}", noSolution)));
        assertTrue(e.getMessage().contains("math.jsonl, line 4") && e.getMessage().contains("'solution' (or 'answer')")
                && e.getMessage().contains("prompt, question"), e.getMessage());
        e = assertThrows(InputException.class, () -> RewardFunctions.checkColumns("exact-match:label", noSolution));
        assertTrue(e.getMessage().contains("math.jsonl, line 4") && e.getMessage().contains("'label'"), e.getMessage());
        e = assertThrows(InputException.class, () -> score("accuracy", s("\\boxed{1}", null)));
        assertTrue(e.getMessage().contains("dataset record"), e.getMessage());
        RewardFunctions.checkColumns("format", noSolution); // reads no column
    }

    @Test
    void formatIsTrlsThinkThenAnswerPattern() {
        assertArrayEquals(new double[] {1, 1, 1, 0, 0, 0, 0},
                score("format", s("<think>a</think><answer>b</answer>", null), s("<think>line 1\nline 2</think>\n<answer>\n4\n</answer>\n", null),
                        s("<think></think><answer></answer>", null), s(" <think>a</think><answer>b</answer>", null),
                        s("<answer>b</answer><think>a</think>", null), s("<think>a</think><answer>b</answer> and more", null),
                        s("<think>a</think>", null)));
    }

    @Test
    void regexMatchesAtTheStartAsPythonsReMatch() {
        assertArrayEquals(new double[] {1, 1, 0}, score("regex:\\d+", s("12 apples", null), s("7", null), s("apples 12", null)));
        assertArrayEquals(new double[] {0, 1}, score("regex:^a{1,2}$", s("aaa", null), s("aa", null)));
        assertThrows(InputException.class, () -> RewardFunctions.get("regex:("));
    }

    @Test
    void jsonRewardsParseTheWholeCompletion() {
        assertArrayEquals(new double[] {1, 1, 1, 0, 0, 0},
                score("json", s(" {\"a\": 1} ", null), s("```json\n[1, 2]\n```", null), s("3", null), s("{\"a\": 1} trailing", null),
                        s("{a: 1}", null), s("", null)));
        assertArrayEquals(new double[] {1, 0, 0, 0},
                score("json-keys:name+age", s("{\"name\": \"x\", \"age\": 3, \"more\": true}", null), s("{\"name\": \"x\"}", null),
                        s("[\"name\", \"age\"]", null), s("not json", null)));
    }

    @Test
    void columnMatchesCompareWithTheRecord() throws Exception {
        DatasetRecord r = record(5, "{\"prompt\": \"p\", \"label\": \" Paris \"}");
        assertArrayEquals(new double[] {1, 0}, score("exact-match:label", s("Paris\n", r), s("It is Paris", r)));
        assertArrayEquals(new double[] {1, 1, 0}, score("contains:label", s("It is paris.", r), s("PARIS", r), s("Lyon", r)));
    }

    /** n-gram repetition as open-r1/TRL: −(1 − distinct/total); DAPO's soft overlong penalty on token counts. */
    @Test
    void repetitionAndOverlongPenalties() {
        // "a b a b a b": 3-grams aba, bab, aba, bab → 2 distinct of 4 → −0.5; 2-grams ab, ba, ab, ba, ab → 2/5 → −0.6
        assertArrayEquals(new double[] {-0.5, 0, 0, 0}, score("repetition-penalty", s("a b A b a B", null), s("a b c d", null), s("a b", null), s("", null)), 1e-12);
        assertArrayEquals(new double[] {-0.6}, score("repetition-penalty:2", s("a b a b a b", null)), 1e-12);
        // MAX 10, CACHE 4: ≤ 6 tokens 0, then (6 − len)/4, −1 beyond 10
        List<Sample> ids = new java.util.ArrayList<>();
        for (int len : new int[] {6, 7, 10, 11}) ids.add(new Sample(null, null, null, new int[len], null));
        assertArrayEquals(new double[] {0, -0.25, -1, -1}, RewardFunctions.get("soft-overlong:10:4").score(ids), 1e-12);
        assertFalse(RewardFunctions.needsText("soft-overlong:10:4"));
        assertThrows(InputException.class, () -> RewardFunctions.get("soft-overlong:4:10"));
        assertThrows(InputException.class, () -> RewardFunctions.get("repetition-penalty:0"));
    }
}
