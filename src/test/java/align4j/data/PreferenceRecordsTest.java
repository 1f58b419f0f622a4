package align4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TRL's record shapes: implicit prompts as extract_prompt cuts them, pointwise and listwise data as pairs. */
class PreferenceRecordsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<PreferencePair> parse(Pairing pairing, String... lines) throws Exception {
        List<DatasetRecord> records = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            records.add(new DatasetRecord(RecordLocation.line("d.jsonl", i + 1), (ObjectNode) JSON.readTree(lines[i])));
        }
        return new PreferenceRecords(ColumnMapping.IDENTITY, pairing).parse(records).pairs();
    }

    private static String triple(PreferencePair p) {
        return p.prompt() + "|" + p.chosen() + "|" + p.rejected();
    }

    @Test
    void implicitPromptIsTheCommonPrefixWithTheSpaceGivenToTheCompletions() throws Exception {
        // TRL docs' example: {"chosen": "The sky is blue.", "rejected": "The sky is green."}
        PreferencePair p = parse(Pairing.ALL_PAIRS, "{\"chosen\": \"The sky is blue.\", \"rejected\": \"The sky is green.\"}").getFirst();
        assertEquals("\"The sky is\"|\" blue.\"|\" green.\"", triple(p));
    }

    @Test
    void implicitPromptWithoutASpaceCutsAtTheFirstDifferentCharacter() throws Exception {
        PreferencePair p = parse(Pairing.ALL_PAIRS, "{\"chosen\": \"Q: 2+2=4\", \"rejected\": \"Q: 2+2=5\"}").getFirst();
        assertEquals("\"Q: 2+2=\"|\"4\"|\"5\"", triple(p));
    }

    @Test
    void implicitPromptOfConversationsIsTheCommonMessages() throws Exception {
        PreferencePair p = parse(Pairing.ALL_PAIRS, "{\"chosen\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Hello\"}], \"rejected\": [{\"role\": \"user\", \"content\": \"Hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"Go away\"}]}").getFirst();
        assertEquals("[{\"role\":\"user\",\"content\":\"Hi\"}]|[{\"role\":\"assistant\",\"content\":\"Hello\"}]"
                + "|[{\"role\":\"assistant\",\"content\":\"Go away\"}]", triple(p));
        assertEquals(true, p.conversational());
    }

    @Test
    void pointwiseScoresOfOnePromptBecomeAllOrderedPairs() throws Exception {
        List<PreferencePair> pairs = parse(Pairing.ALL_PAIRS,
                "{\"prompt\": \"p\", \"completion\": \"mid\", \"score\": 0.5}",
                "{\"prompt\": \"q\", \"completion\": \"only\", \"score\": 1}",
                "{\"prompt\": \"p\", \"completion\": \"best\", \"score\": 0.9}",
                "{\"prompt\": \"p\", \"completion\": \"worst\", \"score\": -1}",
                "{\"prompt\": \"p\", \"completion\": \"tie\", \"score\": 0.5}");
        List<String> got = pairs.stream().map(p -> p.chosen().asText() + ">" + p.rejected().asText()).toList();
        // sorted by score (stable): best 0.9, mid 0.5, tie 0.5, worst -1; ties make no pair; q has one completion
        assertEquals(List.of("best>mid", "best>tie", "best>worst", "mid>worst", "tie>worst"), got);
        assertEquals("d.jsonl:3+1", pairs.getFirst().source());
        assertEquals(0.9, pairs.getFirst().record().get("chosen_score").asDouble());
    }

    @Test
    void pointwiseBestVersusWorstMakesOnePairPerPrompt() throws Exception {
        List<PreferencePair> pairs = parse(Pairing.BEST_VS_WORST,
                "{\"prompt\": \"p\", \"completion\": \"mid\", \"score\": 0.5}",
                "{\"prompt\": \"p\", \"completion\": \"best\", \"score\": 0.9}",
                "{\"prompt\": \"p\", \"completion\": \"worst\", \"score\": -1}");
        assertEquals(1, pairs.size());
        assertEquals("\"p\"|\"best\"|\"worst\"", triple(pairs.getFirst()));
    }

    @Test
    void listwiseRankedBestFirstGivesAllPairsOrBestVersusWorst() throws Exception {
        String line = "{\"prompt\": \"p\", \"completions\": [\"a\", \"b\", \"c\"]}";
        assertEquals(List.of("a>b", "a>c", "b>c"), parse(Pairing.ALL_PAIRS, line).stream()
                .map(p -> p.chosen().asText() + ">" + p.rejected().asText()).toList());
        assertEquals(List.of("a>c"), parse(Pairing.BEST_VS_WORST, line).stream()
                .map(p -> p.chosen().asText() + ">" + p.rejected().asText()).toList());
    }

    @Test
    void listwiseWithScoresRanksByScore() throws Exception {
        String line = "{\"prompt\": \"p\", \"completions\": [\"a\", \"b\", \"c\"], \"scores\": [0.1, 0.7, 0.3]}";
        assertEquals(List.of("b>c", "b>a", "c>a"), parse(Pairing.ALL_PAIRS, line).stream()
                .map(p -> p.chosen().asText() + ">" + p.rejected().asText()).toList());
    }
}
