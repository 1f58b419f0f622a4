package align4j.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import align4j.InputException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face tokenizer folder ({@code tokenizer.json}, {@code tokenizer_config.json},
 * {@code special_tokens_map.json}, {@code chat_template.jinja}) with Hugging Face's own Rust tokenizers doing the
 * encoding (DJL's binding; its jar bundles the native library, run with {@code -Dai.djl.offline=true}).
 * Special tokens are added only when a call asks ({@code add_special_tokens}, as in transformers); nothing is
 * padded or truncated here.
 */
public final class Tokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final HuggingFaceTokenizer hf;
    private final TokenizerConfig config;
    private final Map<String, Integer> specialIds;
    private final int vocabSize;
    private ChatTemplate chatTemplate;
    private volatile Map<String, Object> chatTemplateKwargs = Map.of();

    private Tokenizer(Path dir, HuggingFaceTokenizer hf, TokenizerConfig config, Map<String, Integer> specialIds,
                      int vocabSize) {
        this.dir = dir;
        this.hf = hf;
        this.config = config;
        this.specialIds = specialIds;
        this.vocabSize = vocabSize;
    }

    public static Tokenizer load(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new InputException(dir + ": no tokenizer.json (align4j reads Hugging Face fast-tokenizer folders)");
        }
        TokenizerConfig config = TokenizerConfig.load(dir);
        Map<String, Integer> ids = new HashMap<>();
        int maxId = scanVocabulary(file, config, ids);
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optPadding(false)
                    .optTruncation(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new InputException(file + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
        return new Tokenizer(dir, hf, config, Map.copyOf(ids), maxId + 1);
    }

    /** Token ids of {@code text}; {@code addSpecialTokens} runs tokenizer.json's post-processor (BOS for Llama). */
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = hf.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return hf.decode(l, skipSpecialTokens);
    }

    /** len(tokenizer) in transformers: the base vocabulary plus added tokens (highest id + 1). */
    public int vocabSize() {
        return vocabSize;
    }

    public Path dir() {
        return dir;
    }

    public TokenizerConfig config() {
        return config;
    }

    /** The BOS token's text, or null when the tokenizer has none. */
    public String bosToken() {
        return config.bosToken();
    }

    public String eosToken() {
        return config.eosToken();
    }

    public String padToken() {
        return config.padToken();
    }

    /** The BOS id, or -1 when there is none. */
    public int bosId() {
        return id(config.bosToken());
    }

    public int eosId() {
        return id(config.eosToken());
    }

    public int padId() {
        return id(config.padToken());
    }

    /** The id of a special/added token or vocabulary entry, or -1. */
    public int id(String token) {
        return token == null ? -1 : specialIds.getOrDefault(token, -1);
    }

    public boolean hasChatTemplate() {
        return config.chatTemplate() != null;
    }

    /** The folder's chat template, parsed once; an InputException when the folder has none. */
    public synchronized ChatTemplate chatTemplate() {
        if (chatTemplate == null) {
            if (config.chatTemplate() == null) {
                throw new InputException(dir + ": the tokenizer has no chat template (tokenizer_config.json"
                        + " \"chat_template\" or chat_template.jinja), which conversational data needs");
            }
            chatTemplate = new ChatTemplate(config.chatTemplate());
        }
        return chatTemplate;
    }

    /**
     * The keyword arguments every {@link #applyChatTemplate} passes to the template (TRL's chat_template_kwargs,
     * e.g. Qwen3's enable_thinking=false; see {@link ChatTemplateKwargs}); none by default, as in transformers.
     */
    public void setChatTemplateKwargs(Map<String, Object> kwargs) {
        chatTemplateKwargs = kwargs;
    }

    public Map<String, Object> chatTemplateKwargs() {
        return chatTemplateKwargs;
    }

    /** apply_chat_template(messages, tokenize=False, add_generation_prompt=..., **chat_template_kwargs). */
    public String applyChatTemplate(List<?> messages, boolean addGenerationPrompt) {
        Map<String, Object> variables = config.templateVariables();
        variables.putAll(chatTemplateKwargs);
        return chatTemplate().render(messages, addGenerationPrompt, variables);
    }

    /**
     * Reads the ids of added tokens and of the special tokens named in the config, and the highest id, without
     * building a tree of the whole (often 10 MB) file: model.vocab is streamed.
     */
    private static int scanVocabulary(Path file, TokenizerConfig config, Map<String, Integer> ids) {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (String t : new String[] {config.bosToken(), config.eosToken(), config.padToken(), config.unkToken()}) {
            if (t != null) {
                wanted.add(t);
            }
        }
        int maxId = -1;
        try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.getFactory().createParser(in)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, file, "a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("added_tokens") && p.currentToken() == JsonToken.START_ARRAY) {
                    for (JsonNode t : (JsonNode) JSON.readTree(p)) {
                        int id = t.path("id").asInt(-1);
                        ids.put(t.path("content").asText(), id);
                        maxId = Math.max(maxId, id);
                    }
                } else if (field.equals("model") && p.currentToken() == JsonToken.START_OBJECT) {
                    maxId = Math.max(maxId, scanModel(p, wanted, ids));
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new InputException(file + ": cannot read tokenizer.json: " + e.getMessage(), e);
        }
        expect(maxId >= 0, file, "a model vocabulary");
        return maxId;
    }

    private static int scanModel(JsonParser p, java.util.Set<String> wanted, Map<String, Integer> ids) throws IOException {
        int maxId = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("vocab") && t == JsonToken.START_OBJECT) { // BPE / WordPiece: {"token": id}
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String token = p.currentName();
                    p.nextToken();
                    int id = p.getIntValue();
                    maxId = Math.max(maxId, id);
                    if (wanted.contains(token)) {
                        ids.putIfAbsent(token, id);
                    }
                }
            } else if (field.equals("vocab") && t == JsonToken.START_ARRAY) { // Unigram: [["token", score], ...]
                int id = 0;
                while (p.nextToken() == JsonToken.START_ARRAY) {
                    p.nextToken();
                    String token = p.getText();
                    if (wanted.contains(token)) {
                        ids.putIfAbsent(token, id);
                    }
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                    }
                    maxId = id++;
                }
            } else {
                p.skipChildren();
            }
        }
        return maxId;
    }

    private static void expect(boolean ok, Path file, String what) {
        if (!ok) {
            throw new InputException(file + ": expected " + what + " in tokenizer.json");
        }
    }

    @Override
    public void close() {
        hf.close();
    }
}
