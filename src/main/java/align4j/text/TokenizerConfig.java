package align4j.text;

import align4j.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a Hugging Face tokenizer folder says beyond {@code tokenizer.json}: the special token strings
 * ({@code tokenizer_config.json}, then {@code special_tokens_map.json}; each a string, null, or an AddedToken
 * object {@code {"content": …}}) and the chat template ({@code chat_template.jinja}, else
 * {@code tokenizer_config.json}'s {@code chat_template}: a string, or a list of {@code {"name", "template"}}
 * of which "default" is used, as transformers does).
 *
 * @param bosToken  null when the tokenizer has none (Qwen)
 * @param chatTemplate null when the folder has none
 * @param namedTemplates all named templates (the single template is named "default")
 */
public record TokenizerConfig(String bosToken, String eosToken, String padToken, String unkToken,
                              String chatTemplate, Map<String, String> namedTemplates) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static TokenizerConfig load(Path dir) {
        JsonNode config = readJson(dir.resolve("tokenizer_config.json"));
        JsonNode map = readJson(dir.resolve("special_tokens_map.json"));
        Map<String, String> templates = new LinkedHashMap<>();
        Path jinja = dir.resolve("chat_template.jinja");
        try {
            if (Files.isRegularFile(jinja)) {
                templates.put("default", Files.readString(jinja));
            } else if (config.path("chat_template").isTextual()) {
                templates.put("default", config.get("chat_template").asText());
            } else if (config.path("chat_template").isArray()) {
                for (JsonNode t : config.get("chat_template")) {
                    if (!t.path("name").isTextual() || !t.path("template").isTextual()) {
                        throw new InputException(dir.resolve("tokenizer_config.json") + ": field \"chat_template\": "
                                + "each entry of the list needs a string \"name\" and \"template\"");
                    }
                    templates.put(t.get("name").asText(), t.get("template").asText());
                }
            }
        } catch (IOException e) {
            throw new InputException(jinja + ": cannot read: " + e.getMessage(), e);
        }
        Path configFile = dir.resolve("tokenizer_config.json");
        return new TokenizerConfig(token(config, map, "bos_token", configFile), token(config, map, "eos_token", configFile),
                token(config, map, "pad_token", configFile), token(config, map, "unk_token", configFile),
                templates.get("default"), Map.copyOf(templates));
    }

    /** The special-token variables transformers passes to chat templates (only the tokens that are set). */
    public Map<String, Object> templateVariables() {
        Map<String, Object> vars = new LinkedHashMap<>();
        if (bosToken != null) {
            vars.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            vars.put("eos_token", eosToken);
        }
        if (unkToken != null) {
            vars.put("unk_token", unkToken);
        }
        if (padToken != null) {
            vars.put("pad_token", padToken);
        }
        return vars;
    }

    private static String token(JsonNode config, JsonNode map, String field, Path configFile) {
        JsonNode v = config.has(field) ? config.get(field) : map.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isObject() && v.path("content").isTextual()) {
            return v.get("content").asText();
        }
        throw new InputException(configFile + ": field \"" + field + "\": expected a string, null or {\"content\": …}, got "
                + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new InputException(file + ": expected a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InputException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
