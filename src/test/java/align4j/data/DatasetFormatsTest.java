package align4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import align4j.text.TextFixtures;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same preference data read as JSONL, JSONL.gz, JSON and Parquet gives identical tokenized examples. */
class DatasetFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STANDARD = """
            {"question": "The capital of France is", "good": " Paris.", "bad": " Lyon.", "id": 1}
            {"question": "2 + 2 =", "good": " 4", "bad": " 5 ", "id": 2}
            {"question": "Écris « bonjour »:", "good": " bonjour 👋", "bad": "salut", "id": 3}
            """;
    private static final String CONVERSATIONAL = """
            {"prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Sky color?"}], "chosen": [{"role": "assistant", "content": "Blue."}], "rejected": [{"role": "assistant", "content": "Green, mostly."}]}
            {"prompt": [{"role": "user", "content": "日本の首都は？"}], "chosen": [{"role": "assistant", "content": "東京です。"}], "rejected": [{"role": "assistant", "content": "大阪です。"}]}
            """;

    @TempDir
    Path dir;

    @Test
    void standardDataWithColumnMappingIsIdenticalInEveryFormat() throws Exception {
        assertSameInEveryFormat(STANDARD, ColumnMapping.parse("prompt=question,chosen=good,rejected=bad"), "llama2", 3);
    }

    @Test
    void conversationalDataIsIdenticalInEveryFormat() throws Exception {
        assertSameInEveryFormat(CONVERSATIONAL, ColumnMapping.IDENTITY, "qwen3", 2);
    }

    private void assertSameInEveryFormat(String jsonl, ColumnMapping columns, String tokenizerName, int n) throws Exception {
        Tokenizer tok = TextFixtures.tokenizer(tokenizerName);
        List<Path> files = writeAllFormats(jsonl);
        List<PreferenceExample> reference = PreferenceDataset.load(files.getFirst(), columns, Pairing.ALL_PAIRS, tok,
                Truncation.NONE).examples();
        assertEquals(n, reference.size());
        for (Path f : files) {
            List<PreferenceExample> got = PreferenceDataset.load(f, columns, Pairing.ALL_PAIRS, tok, Truncation.NONE).examples();
            assertEquals(reference.size(), got.size(), f.toString());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(reference.get(i).prompt(), got.get(i).prompt(), f + " #" + i);
                assertArrayEquals(reference.get(i).chosen(), got.get(i).chosen(), f + " #" + i);
                assertArrayEquals(reference.get(i).rejected(), got.get(i).rejected(), f + " #" + i);
            }
        }
        assertEquals("prefs.jsonl:2", reference.get(1).source());
    }

    /** prefs.jsonl, prefs.jsonl.gz, prefs.json (a pretty-printed array) and prefs.parquet (written by DuckDB). */
    private List<Path> writeAllFormats(String jsonl) throws Exception {
        Path lines = dir.resolve("prefs.jsonl");
        Files.writeString(lines, jsonl);
        Path gz = dir.resolve("prefs.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(jsonl.getBytes(StandardCharsets.UTF_8));
        }
        ArrayNode array = JSON.createArrayNode();
        for (String line : jsonl.strip().split("\n")) {
            array.add(JSON.readTree(line));
        }
        Path json = dir.resolve("prefs.json");
        Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        Path parquet = dir.resolve("prefs.parquet");
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            s.execute("SET threads=1");
            s.execute("COPY (SELECT * FROM read_json('" + lines + "', format='newline_delimited')) TO '" + parquet
                    + "' (FORMAT parquet)");
        }
        return List.of(lines, gz, json, parquet);
    }

    @Test
    void parquetRowsKeepFileOrderAndNameRows() throws Exception {
        Path parquet = writeAllFormats(STANDARD).getLast();
        List<DatasetRecord> records = DatasetReader.read(parquet);
        assertEquals(3, records.size());
        assertEquals("prefs.parquet, row 3", records.get(2).location().describe());
        JsonNode third = records.get(2).json();
        assertEquals("salut", third.get("bad").asText());
        assertEquals(3, third.get("id").asInt());
    }

    @Test
    void jsonArrayRecordsAreLocatedByTheLineTheyStartOn() throws IOException {
        Path f = dir.resolve("a.json");
        Files.writeString(f, "[\n  {\"chosen\": \"a\", \"rejected\": \"b\"},\n\n  {\"chosen\": \"c\",\n \"rejected\": \"d\"}\n]\n");
        List<DatasetRecord> records = DatasetReader.read(f);
        assertEquals(2, records.get(0).location().line());
        assertEquals(4, records.get(1).location().line());
    }
}
