package align4j.cli;

import align4j.data.ColumnMapping;
import align4j.data.TextRecords;
import align4j.text.Tokenizer;
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
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            int n = TextRecords.tokenize(data, field, tok, addSpecialTokens, out);
            System.err.println("tokenize: " + n + " records → " + out);
        }
        return 0;
    }
}
