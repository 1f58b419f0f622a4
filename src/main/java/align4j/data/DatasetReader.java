package align4j.data;

import align4j.InputException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads dataset files into JSON objects, one per record: JSON Lines ({@code .jsonl}, also gzipped), a JSON
 * array of objects ({@code .json}, also gzipped; a {@code .json} file holding lines is read as JSON Lines, as
 * the datasets library does), and Parquet (through DuckDB, {@link ParquetReader}).
 */
public final class DatasetReader {
    static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {
    }

    public static List<DatasetRecord> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file + ": no such dataset file");
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".parquet")) {
            return ParquetReader.read(file);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            InputStream in = name.endsWith(".gz") ? new BufferedInputStream(new GZIPInputStream(raw)) : raw;
            in.mark(1 << 16);
            int first = firstNonSpace(in);
            in.reset();
            String label = file.getFileName().toString();
            return first == '[' ? readArray(in, label) : readLines(in, label);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static int firstNonSpace(InputStream in) throws IOException {
        for (int n = 0; n < (1 << 16) - 1; n++) {
            int c = in.read();
            if (c < 0 || !Character.isWhitespace(c) && c != 0xEF && c != 0xBB && c != 0xBF) {
                return c;
            }
        }
        return -1;
    }

    private static List<DatasetRecord> readLines(InputStream in, String label) throws IOException {
        List<DatasetRecord> out = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        long lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            RecordLocation at = RecordLocation.line(label, lineNo);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new DatasetException(at, null, "malformed JSON at column " + e.getLocation().getColumnNr()
                        + ": " + e.getOriginalMessage(), e);
            }
            out.add(new DatasetRecord(at, object(node, at)));
        }
        return out;
    }

    private static List<DatasetRecord> readArray(InputStream in, String label) throws IOException {
        List<DatasetRecord> out = new ArrayList<>();
        long line = 1;
        try (JsonParser p = JSON.getFactory().createParser(in)) {
            p.nextToken();
            JsonToken t;
            while (true) {
                t = p.nextToken();
                line = p.currentTokenLocation().getLineNr();
                if (t == JsonToken.END_ARRAY) {
                    break;
                }
                if (t == null) {
                    throw new DatasetException(RecordLocation.line(label, line), null, "malformed JSON: the array is not closed");
                }
                RecordLocation at = RecordLocation.line(label, line);
                out.add(new DatasetRecord(at, object(JSON.readTree(p), at)));
            }
            if (p.nextToken() != null) {
                throw new DatasetException(RecordLocation.line(label, p.currentTokenLocation().getLineNr()), null,
                        "malformed JSON: text after the closing ]");
            }
        } catch (JsonParseException e) {
            throw new DatasetException(RecordLocation.line(label, e.getLocation().getLineNr()), null,
                    "malformed JSON at column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        }
        return out;
    }

    private static ObjectNode object(JsonNode node, RecordLocation at) {
        if (!(node instanceof ObjectNode o)) {
            throw new DatasetException(at, null, "expected a JSON object per record, got " + typeName(node));
        }
        return o;
    }

    static String typeName(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
