package align4j.data;

/**
 * Where a record came from: a file and a 1-based line (JSONL, JSON) or row (Parquet).
 * {@link #toString()} is the short source tag {@code file:line} that examples carry.
 */
public record RecordLocation(String file, long line, boolean row) {
    public static RecordLocation line(String file, long line) {
        return new RecordLocation(file, line, false);
    }

    public static RecordLocation row(String file, long row) {
        return new RecordLocation(file, row, true);
    }

    /** The location a source tag {@code file:line} (or {@code file:line+line} for a pair of records) names. */
    public static RecordLocation parse(String source) {
        int colon = source.lastIndexOf(':');
        String rest = source.substring(colon + 1);
        int plus = rest.indexOf('+');
        String file = source.substring(0, colon);
        return new RecordLocation(file, Long.parseLong(plus < 0 ? rest : rest.substring(0, plus)),
                file.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet"));
    }

    /** "data.jsonl, line 3" or "data.parquet, row 3". */
    public String describe() {
        return file + (row ? ", row " : ", line ") + line;
    }

    @Override
    public String toString() {
        return file + ":" + line;
    }
}
