package align4j.data;

import static org.junit.jupiter.api.Assertions.*;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DatasetAudit} on a hand-made JSONL with one of each defect (Llama 3's tokenizer): the exact counts and
 * locations of each finding, and the length bias from the completions' token counts.
 */
public class DatasetAuditTest {
    /** The defects file: line 2 duplicates line 1, 3 is identical, 4 leaks its prompt, 5 lacks EOS, 6 has a long prompt, 8 merges across the boundary. */
    public static String defects(String eos) {
        String longPrompt = "Tell me " + "a long story about the sea and the ships ".repeat(6).strip() + ".";
        return String.join("\n",
                "{\"prompt\": \"What is 2+2?\", \"chosen\": \" 4." + eos + "\", \"rejected\": \" 5." + eos + "\"}",
                "{\"prompt\": \"What is 2+2?\", \"chosen\": \" 4." + eos + "\", \"rejected\": \" 5." + eos + "\"}",
                "{\"prompt\": \"Pick one.\", \"chosen\": \" A." + eos + "\", \"rejected\": \" A." + eos + "\"}",
                "{\"prompt\": \"Name a color.\", \"chosen\": \" Name a color. Blue." + eos + "\", \"rejected\": \" Dog." + eos + "\"}",
                "{\"prompt\": \"Say hi.\", \"chosen\": \" Hi there!\", \"rejected\": \" No." + eos + "\"}",
                "{\"prompt\": \"" + longPrompt + "\", \"chosen\": \" Yes." + eos + "\", \"rejected\": \" No." + eos + "\"}",
                "{\"prompt\": \"Why is the sky blue?\", \"chosen\": \" Because air scatters blue light more strongly." + eos
                        + "\", \"rejected\": \" Dunno." + eos + "\"}",
                "{\"prompt\": \"Write a word: \", \"chosen\": \"apple" + eos + "\", \"rejected\": \"pear pie" + eos + "\"}") + "\n";
    }

    @Test
    void findsEachDefectWithItsLocation(@TempDir Path tmp) throws Exception {
        Tokenizer tok = TextFixtures.tokenizer("llama3");
        Path file = tmp.resolve("d.jsonl");
        Files.writeString(file, defects(tok.eosToken()));
        String f = file.getFileName().toString();
        var settings = new PreferenceData.Settings(ColumnMapping.IDENTITY, Pairing.ALL_PAIRS, 30, 0, Truncation.Mode.KEEP_END);
        DatasetAudit.Result r = DatasetAudit.run(file, settings, tok);

        assertEquals(8, r.records());
        assertEquals(8, r.pairs());
        assertEquals("text", r.kind());
        assertFinding(r, "duplicate", 1, List.of(f + ":2 (= " + f + ":1)"));
        assertFinding(r, "identical", 1, List.of(f + ":3"));
        assertFinding(r, "prompt_leak", 1, List.of(f + ":4"));
        assertEquals(1, r.finding("prompt_leak").detail().get("chosen"));
        assertEquals(0, r.finding("prompt_leak").detail().get("rejected"));
        assertFinding(r, "missing_eos", 1, List.of(f + ":5"));
        assertEquals(1, r.finding("missing_eos").detail().get("chosen"));
        assertFinding(r, "truncated", 1, List.of(f + ":6"));
        assertEquals(1, r.finding("truncated").detail().get("prompt"));
        assertEquals(0, r.finding("truncated").detail().get("chosen"));
        assertEquals(0, r.finding("truncated").detail().get("dropped"));
        assertFinding(r, "boundary_mismatch", 1, List.of(f + ":8"));
        assertEquals(2, r.finding("boundary_mismatch").detail().get("completions"));
        assertEquals(1.0 / 8, r.finding("duplicate").fraction(), 1e-12);

        // the length bias from the tokenized completions of the 7 non-identical pairs
        PreferenceTokenizer pt = new PreferenceTokenizer(tok);
        String[] lines = Files.readAllLines(file).toArray(String[]::new);
        long sc = 0, sr = 0;
        int longer = 0, equal = 0, n = 0;
        for (int i = 0; i < lines.length; i++) {
            if (i == 2) continue;
            var o = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[i]);
            PreferenceExample e = pt.tokenize(new PreferencePair("x", o.get("prompt"), o.get("chosen"), o.get("rejected"), false, o));
            sc += e.chosen().length;
            sr += e.rejected().length;
            longer += e.chosen().length > e.rejected().length ? 1 : 0;
            equal += e.chosen().length == e.rejected().length ? 1 : 0;
            n++;
        }
        assertEquals(3, longer); // lines 4, 5, 7
        assertEquals(3, equal); // lines 1, 2, 6
        assertEquals((double) sc / n, r.length().meanChosen(), 1e-12);
        assertEquals((double) sr / n, r.length().meanRejected(), 1e-12);
        assertEquals(3.0 / 7, r.length().chosenLongerFraction(), 1e-12);
        assertEquals((3 + 1.5) / 7, r.length().lengthJudgeAccuracy(), 1e-12);

        // without limits nothing is truncated; the JSON carries every finding
        DatasetAudit.Result plain = DatasetAudit.run(file, PreferenceData.Settings.defaults(), tok);
        assertEquals(0, plain.finding("truncated").count());
        var json = r.toJson();
        assertEquals(1, json.get("findings").get("duplicate").get("count").asInt());
        assertEquals(f + ":6", json.get("findings").get("truncated").get("examples").get(0).asText());
        assertTrue(r.toText().contains("prompt_leak"));

        // the tolerant pairs: the identical record left out, the rest as PreferenceData reads them
        Pairs p = DatasetAudit.pairs(file, settings, tok);
        assertEquals(7, p.size());
        assertEquals(f + ":4", p.sources()[2]);
    }

    @Test
    void pretokenizedDataIsCheckedForDuplicatesIdenticalAndTruncation(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("t.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"prompt_input_ids\": [1, 2], \"chosen_input_ids\": [3, 4, 5], \"rejected_input_ids\": [6]}",
                "{\"prompt_input_ids\": [1, 2], \"chosen_input_ids\": [3, 4, 5], \"rejected_input_ids\": [6]}",
                "{\"prompt_input_ids\": [1], \"chosen_input_ids\": [7], \"rejected_input_ids\": [7]}",
                "{\"prompt_input_ids\": [1, 2, 3, 4, 5, 6], \"chosen_input_ids\": [8], \"rejected_input_ids\": [9, 9]}") + "\n");
        var settings = new PreferenceData.Settings(ColumnMapping.IDENTITY, Pairing.ALL_PAIRS, 0, 4, Truncation.Mode.KEEP_END);
        DatasetAudit.Result r = DatasetAudit.run(file, settings, null);
        assertEquals("pretokenized", r.kind());
        assertEquals(1, r.finding("duplicate").count());
        assertEquals(List.of("t.jsonl:3"), r.finding("identical").examples());
        assertEquals(List.of("t.jsonl:4"), r.finding("truncated").examples());
        assertEquals(1, r.finding("truncated").detail().get("prompt"));
        assertEquals(0, r.finding("missing_eos").count());
        assertEquals(2.0 / 3, r.length().chosenLongerFraction(), 1e-12);
    }

    @Test
    void conversationsAreAuditedThroughTheChatTemplate(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("c.jsonl");
        String u = "[{\"role\": \"user\", \"content\": \"Name a fruit.\"}]";
        Files.writeString(file, String.join("\n",
                "{\"prompt\": " + u + ", \"chosen\": [{\"role\": \"assistant\", \"content\": \"Apple.\"}],"
                        + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"Name a fruit. Rock.\"}]}",
                "{\"prompt\": " + u + ", \"chosen\": [{\"role\": \"assistant\", \"content\": \"Pear.\"}],"
                        + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"Pear.\"}]}") + "\n");
        DatasetAudit.Result r = DatasetAudit.run(file, PreferenceData.Settings.defaults(), TextFixtures.tokenizer("qwen3"));
        assertEquals("conversational", r.kind());
        assertEquals(2, r.pairs());
        assertEquals(List.of("c.jsonl:1"), r.finding("prompt_leak").examples());
        assertEquals(1, r.finding("prompt_leak").detail().get("rejected"));
        assertEquals(List.of("c.jsonl:2"), r.finding("identical").examples());
        assertEquals(0, r.finding("missing_eos").count()); // not checked for conversations
        assertEquals(0.0, r.length().chosenLongerFraction());
    }

    private static void assertFinding(DatasetAudit.Result r, String name, int count, List<String> examples) {
        DatasetAudit.Finding f = r.finding(name);
        assertEquals(count, f.count(), name + " " + f.examples());
        assertEquals(examples, f.examples(), name);
    }
}
