package align4j.generate;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ids that end generation by default, as transformers finds them: {@code eos_token_id} of
 * generation_config.json (an id or a list), else of config.json; plus the tokenizer's eos token
 * (tokenizer_config.json), which TRL's trainers stop on.
 */
public final class EosTokens {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EosTokens() {}

    /** The model folder's eos ids in the order found, without duplicates; tokenizer may be null. */
    public static List<Integer> of(Path modelDir, Tokenizer tokenizer) throws IOException {
        Set<Integer> ids = new LinkedHashSet<>();
        List<Integer> fromGeneration = read(modelDir.resolve("generation_config.json"));
        ids.addAll(fromGeneration != null ? fromGeneration : orEmpty(read(modelDir.resolve("config.json"))));
        if (tokenizer != null && tokenizer.eosId() >= 0) ids.add(tokenizer.eosId());
        return new ArrayList<>(ids);
    }

    private static List<Integer> orEmpty(List<Integer> l) {
        return l == null ? List.of() : l;
    }

    /** eos_token_id of a JSON file; null when the file or the field is absent. */
    private static List<Integer> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InputException(file + ": not valid JSON: " + e.getMessage());
        }
        JsonNode n = root.get("eos_token_id");
        if (n == null || n.isNull()) return null;
        List<Integer> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) out.add(id(file, e));
        } else {
            out.add(id(file, n));
        }
        return out;
    }

    private static int id(Path file, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
            throw new InputException(file + ": field 'eos_token_id' must be a token id or a list of ids, got " + n);
        }
        return n.asInt();
    }
}
