package align4j.data;

import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Records with a text field, tokenized ({@code align4j tokenize}): each record keeps its fields and gains
 * {@code input_ids}, the ids {@code tokenizer(text, add_special_tokens=…)} gives.
 */
public final class TextRecords {
    private TextRecords() {}

    /**
     * Reads every record of data (JSONL[.gz], JSON array or Parquet), tokenizes its textField and writes the
     * records as JSONL to out (creating its folder). A record without a string textField is a
     * {@link DatasetException} naming file, line and field. Returns the number of records written.
     */
    public static int tokenize(Path data, String textField, Tokenizer tokenizer, boolean addSpecialTokens, Path out) {
        List<DatasetRecord> records = DatasetReader.read(data);
        ObjectMapper json = new ObjectMapper();
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                for (DatasetRecord r : records) {
                    ObjectNode o = r.json().deepCopy();
                    ArrayNode ids = o.putArray("input_ids");
                    for (int id : tokenizer.encode(text(r, textField), addSpecialTokens)) ids.add(id);
                    w.write(json.writeValueAsString(o));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write: " + e.getMessage(), e);
        }
        return records.size();
    }

    private static String text(DatasetRecord r, String field) {
        JsonNode text = r.json().get(field);
        if (text == null) throw new DatasetException(r.location(), field, "missing");
        if (!text.isTextual()) {
            throw new DatasetException(r.location(), field, "expected a string, got "
                    + text.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return text.asText();
    }
}
