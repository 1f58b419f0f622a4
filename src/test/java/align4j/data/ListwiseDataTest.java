package align4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rankings read from the listwise shapes (ranking, scores, ranked order), pairs as rankings of two, truncation per list. */
class ListwiseDataTest {
    private static final Tokenizer TOK = TextFixtures.tokenizer("llama2");

    static ListwiseData load(Path dir, PreferenceData.Settings settings, String... lines) throws Exception {
        Path f = dir.resolve("d.jsonl");
        Files.write(f, List.of(lines));
        return ListwiseData.load(f, settings, TOK, TOK.vocabSize());
    }

    static int[] completion(String prompt, String completion) {
        return new PreferenceTokenizer(TOK).tokenize("x", com.fasterxml.jackson.databind.node.TextNode.valueOf(prompt),
                com.fasterxml.jackson.databind.node.TextNode.valueOf(completion), false)[1];
    }

    @Test
    void rankingThenScoresThenOrderGiveTheRankingBestFirst(@TempDir Path dir) throws Exception {
        ListwiseData d = load(dir, PreferenceData.Settings.defaults(),
                "{\"prompt\": \"Q:\", \"completions\": [\" b\", \" a\", \" c\"], \"ranking\": [2, 1, 3], \"scores\": [9, 0, 5]}",
                "{\"prompt\": \"Q:\", \"completions\": [\" b\", \" a\", \" c\"], \"scores\": [0.5, 2, -1]}",
                "{\"prompt\": \"Q:\", \"completions\": [\" a\", \" b\", \" c\", \" d\"]}",
                "{\"prompt\": \"Q:\", \"chosen\": \" a\", \"rejected\": \" b\"}");
        assertEquals(4, d.lists().size());
        int[] a = completion("Q:", " a"), b = completion("Q:", " b"), c = completion("Q:", " c");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(a, d.lists().completions()[i][0]);
            assertArrayEquals(b, d.lists().completions()[i][1]);
            assertArrayEquals(c, d.lists().completions()[i][2]);
        }
        assertEquals(4, d.lists().completions()[2].length);
        assertEquals(2, d.lists().completions()[3].length);
        assertArrayEquals(a, d.lists().completions()[3][0]);
        assertEquals(12, d.report().completions());
    }

    @Test
    void rankingAlsoOrdersThePairsMadeForPairwiseTraining() throws Exception {
        var r = new DatasetRecord(new RecordLocation("f", 1, false),
                (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree("{\"prompt\": \"Q:\", \"completions\": [\"x\", \"y\"], \"ranking\": [2, 1]}"));
        PreferencePair p = new PreferenceRecords(ColumnMapping.IDENTITY, Pairing.ALL_PAIRS).parse(List.of(r)).pairs().getFirst();
        assertEquals("y", p.chosen().asText());
        assertEquals("x", p.rejected().asText());
    }

    @Test
    void truncationKeepsOnePromptPerList(@TempDir Path dir) throws Exception {
        PreferenceData.Settings s = new PreferenceData.Settings(ColumnMapping.IDENTITY, Pairing.ALL_PAIRS, 8, 0, Truncation.Mode.KEEP_END);
        ListwiseData d = load(dir, s, "{\"prompt\": \"one two three four five six\", \"completions\": [\" a\", \" b c d e\", \" f g\"]}");
        int[][] cs = d.lists().completions()[0];
        assertEquals(8, d.lists().prompts()[0].length + cs[1].length);
        assertEquals(1, d.report().truncated());
    }

    @Test
    void aBadRankingNamesItsField(@TempDir Path dir) {
        var e = assertThrows(DatasetException.class, () -> load(dir, PreferenceData.Settings.defaults(),
                "{\"prompt\": \"Q:\", \"completions\": [\" a\", \" b\"], \"ranking\": [1]}"));
        assertEquals(true, e.getMessage().contains("ranking"), e.getMessage());
    }
}
