package align4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A preference pair in text: prompt, chosen and rejected are all strings (standard) or all lists of
 * {@code {role, content}} messages (conversational). {@code record} is what gets written back (the input
 * record, or for pairs made from pointwise/listwise data a standard record with the scores).
 */
public record PreferencePair(String source, JsonNode prompt, JsonNode chosen, JsonNode rejected,
                             boolean conversational, ObjectNode record) {
}
