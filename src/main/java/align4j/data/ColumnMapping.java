package align4j.data;

import align4j.InputException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Dataset column names for TRL's field names, for datasets named differently:
 * {@code --dataset-columns prompt=question,chosen=good,rejected=bad}. Unmapped fields keep their TRL name.
 */
public record ColumnMapping(Map<String, String> columns) {
    /** The field names a mapping may rename. */
    public static final Set<String> FIELDS = Set.of("prompt", "chosen", "rejected", "completion", "score",
            "completions", "scores", "ranking", "prompt_input_ids", "chosen_input_ids", "rejected_input_ids", "text");

    public static final ColumnMapping IDENTITY = new ColumnMapping(Map.of());

    public ColumnMapping {
        columns = Map.copyOf(columns);
    }

    /** Parses {@code field=column,field=column}; null or blank gives the identity mapping. */
    public static ColumnMapping parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return IDENTITY;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            String field = eq < 0 ? "" : part.substring(0, eq).strip();
            String column = eq < 0 ? "" : part.substring(eq + 1).strip();
            if (field.isEmpty() || column.isEmpty()) {
                throw new InputException("--dataset-columns: \"" + part.strip() + "\" is not field=column");
            }
            if (!FIELDS.contains(field)) {
                throw new InputException("--dataset-columns: unknown field \"" + field + "\"; known: "
                        + String.join(", ", new java.util.TreeSet<>(FIELDS)));
            }
            if (m.put(field, column) != null) {
                throw new InputException("--dataset-columns: field \"" + field + "\" mapped twice");
            }
        }
        return new ColumnMapping(m);
    }

    /** The dataset's column for a TRL field name. */
    public String column(String field) {
        return columns.getOrDefault(field, field);
    }
}
