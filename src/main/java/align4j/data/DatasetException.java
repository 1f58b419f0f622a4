package align4j.data;

import align4j.InputException;

/** A problem in a dataset, named by file, line (or row) and field: {@code prefs.jsonl, line 3, field "chosen": empty completion}. */
public final class DatasetException extends InputException {
    public DatasetException(RecordLocation where, String field, String problem) {
        super(where.describe() + (field == null ? "" : ", field \"" + field + "\"") + ": " + problem);
    }

    public DatasetException(RecordLocation where, String field, String problem, Throwable cause) {
        super(where.describe() + (field == null ? "" : ", field \"" + field + "\"") + ": " + problem, cause);
    }
}
