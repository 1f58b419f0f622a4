package align4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A preference pair in text: prompt, chosen and rejected are all strings (standard) or all lists of
 * {@code {role, content}} messages (conversational). {@code record} is what gets written back (the input
 * record, or for pairs made from pointwise/listwise data a standard record with the scores).
 */
public record PreferencePair(String source, JsonNode prompt, JsonNode chosen, JsonNode rejected,
                             boolean conversational, ObjectNode record) {
    /** A standard (text) pair made in code; its record is TRL's {prompt, chosen, rejected}. */
    public static PreferencePair of(String prompt, String chosen, String rejected) {
        ObjectNode r = JsonNodeFactory.instance.objectNode().put("prompt", prompt).put("chosen", chosen).put("rejected", rejected);
        return new PreferencePair("pair", r.get("prompt"), r.get("chosen"), r.get("rejected"), false, r);
    }
}
