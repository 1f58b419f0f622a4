package align4j.data;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One record of a dataset file as read, before its shape is interpreted. */
public record DatasetRecord(RecordLocation location, ObjectNode json) {
}
