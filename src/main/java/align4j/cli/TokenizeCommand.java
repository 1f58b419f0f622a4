package align4j.cli;

import align4j.data.ColumnMapping;
import align4j.data.DatasetException;
import align4j.data.DatasetReader;
import align4j.data.DatasetRecord;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code align4j tokenize}: each record {"text": …} gets "input_ids" (other fields kept), one JSON object per line. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize the \"text\" field of each record with a Hugging Face tokenizer folder; writes JSONL with \"input_ids\" added.")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "Folder with tokenizer.json (a model folder works).")
    Path tokenizer;

    @Option(names = "--data", required = true, description = "JSONL (.gz), JSON array or Parquet file of records with a \"text\" field.")
    Path data;

    @Option(names = "--out", required = true, description = "Output JSONL file.")
    Path out;

    @Option(names = "--add-special-tokens", description = "Add the tokenizer's special tokens (BOS for Llama), as add_special_tokens=True.")
    boolean addSpecialTokens;

    @Option(names = "--dataset-columns", description = "Column for the text field, e.g. text=content.")
    String datasetColumns;

    @Override
    public Integer call() {
        String field = ColumnMapping.parse(datasetColumns).column("text");
        ObjectMapper json = new ObjectMapper();
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            var records = DatasetReader.read(data);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                for (DatasetRecord r : records) {
                    JsonNode text = r.json().get(field);
                    if (text == null) {
                        throw new DatasetException(r.location(), field, "missing");
                    }
                    if (!text.isTextual()) {
                        throw new DatasetException(r.location(), field, "expected a string, got " + text.getNodeType()
                                .toString().toLowerCase(java.util.Locale.ROOT));
                    }
                    ObjectNode o = r.json().deepCopy();
                    var ids = o.putArray("input_ids");
                    for (int id : tok.encode(text.asText(), addSpecialTokens)) {
                        ids.add(id);
                    }
                    w.write(json.writeValueAsString(o));
                    w.write('\n');
                }
            }
            System.err.println("tokenize: " + records.size() + " records → " + out);
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write: " + e.getMessage(), e);
        }
    }
}
