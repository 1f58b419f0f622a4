package align4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each bad input names file, line and field. */
class DatasetErrorsTest {
    @TempDir
    Path dir;

    private String error(String content, ColumnMapping columns) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        String good = "{\"" + columns.column("prompt") + "\": \"ok\", \"" + columns.column("chosen") + "\": \"a\", \""
                + columns.column("rejected") + "\": \"b\"}";
        Files.writeString(f, good + "\n\n" + content + "\n");
        return assertThrows(DatasetException.class,
                () -> new PreferenceRecords(columns, Pairing.ALL_PAIRS).parse(DatasetReader.read(f))).getMessage();
    }

    private String error(String content) throws IOException {
        return error(content, ColumnMapping.IDENTITY);
    }

    @Test
    void malformedJsonNamesLineAndColumn() throws IOException {
        assertEquals("bad.jsonl, line 3: malformed JSON at column 27: Unexpected character ('}' (code 125)): expected"
                + " a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", error("{\"prompt\": \"x\", \"chosen\": }"));
    }

    @Test
    void missingFieldIsNamed() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"rejected\": missing", error("{\"prompt\": \"x\", \"chosen\": \"y\"}"));
    }

    @Test
    void missingFieldIsNamedByTheMappedColumn() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"bad\": missing",
                error("{\"q\": \"x\", \"good\": \"y\"}", ColumnMapping.parse("prompt=q,chosen=good,rejected=bad")));
    }

    @Test
    void wrongTypeIsNamed() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"chosen\": expected a string or a list of {\"role\", \"content\"} messages,"
                + " got a number", error("{\"prompt\": \"x\", \"chosen\": 7, \"rejected\": \"y\"}"));
    }

    @Test
    void mixingStringsAndMessagesIsAWrongType() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"prompt\": expected a list of messages like the other fields of the"
                + " record, got a string", error("{\"prompt\": \"x\", \"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}],"
                + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"b\"}]}"));
    }

    @Test
    void emptyCompletionIsNamed() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"chosen\": empty completion",
                error("{\"prompt\": \"x\", \"chosen\": \"\", \"rejected\": \"y\"}"));
    }

    @Test
    void identicalChosenAndRejectedIsNamed() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"rejected\": identical to \"chosen\"; a preference pair needs two"
                + " different completions", error("{\"prompt\": \"x\", \"chosen\": \"same\", \"rejected\": \"same\"}"));
    }

    @Test
    void aRecordThatIsNotAnObjectIsNamed() throws IOException {
        assertEquals("bad.jsonl, line 3: expected a JSON object per record, got a list", error("[1, 2]"));
    }

    @Test
    void preTokenizedIdsOutsideTheVocabularyAreNamed() throws IOException {
        Path f = dir.resolve("ids.jsonl");
        Files.writeString(f, "{\"prompt_input_ids\": [1, 2], \"chosen_input_ids\": [3], \"rejected_input_ids\": [4, 99]}\n");
        var parsed = new PreferenceRecords(ColumnMapping.IDENTITY, Pairing.ALL_PAIRS).parse(DatasetReader.read(f));
        PreferenceExample e = parsed.pretokenized().getFirst();
        e.checkVocabulary(100);
        assertEquals("ids.jsonl, line 1, field \"rejected_input_ids\": token id 99 at position 1 is outside the"
                + " vocabulary (0..49)", assertThrows(DatasetException.class, () -> e.checkVocabulary(50)).getMessage());
    }

    @Test
    void preTokenizedIdsMustBeIntegers() throws IOException {
        assertEquals("bad.jsonl, line 3, field \"chosen_input_ids\": element 1: expected an integer token id, got a string",
                error("{\"prompt_input_ids\": [1], \"chosen_input_ids\": [3, \"x\"], \"rejected_input_ids\": [4]}"));
    }

    @Test
    void malformedJsonArrayNamesTheLine() throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "[\n{\"chosen\": \"a\", \"rejected\": \"b\"},\n{\"chosen\": \"a\" \"rejected\": \"b\"}\n]");
        String m = assertThrows(DatasetException.class, () -> DatasetReader.read(f)).getMessage();
        assertEquals("bad.json, line 3: malformed JSON at column 16: Unexpected character ('\"' (code 34)): was expecting"
                + " comma to separate Object entries", m);
    }
}
