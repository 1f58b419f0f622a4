package align4j.io;

import align4j.model.ModelConfig;
import align4j.model.ModelFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code *ForSequenceClassification} folder layout, which reward models use (TRL's
 * RewardTrainer: AutoModelForSequenceClassification with num_labels = 1): the backbone's tensors under
 * the base-model prefix ({@code transformer.} for GPT-2, {@code model.} for Llama/Mistral/Qwen2/Qwen3), no LM
 * head, and {@code score.weight [num_labels, C]} (nn.Linear without bias). config.json names the class in
 * {@code architectures} and carries {@code id2label}/{@code label2id} and the {@code pad_token_id} that HF
 * uses to find each sequence's last token.
 */
public final class SequenceClassification {
    private static final String SUFFIX = "ForSequenceClassification";
    private static final Map<String, String> ARCHITECTURE = Map.of("gpt2", "GPT2", "llama", "Llama",
            "mistral", "Mistral", "qwen2", "Qwen2", "qwen3", "Qwen3");

    private SequenceClassification() {}

    /** True when config.json's {@code architectures} names a {@code *ForSequenceClassification} class. */
    public static boolean isClassifier(ModelConfig c) {
        JsonNode a = c.raw().get("architectures");
        if (a == null || !a.isArray()) return false;
        for (JsonNode n : a) if (n.asText().endsWith(SUFFIX)) return true;
        return false;
    }

    /** num_labels as HF derives it: the size of id2label, else num_labels, else HF's default 2. */
    public static int numLabels(ModelConfig c) {
        JsonNode id2label = c.raw().get("id2label");
        if (id2label != null && id2label.isObject() && !id2label.isEmpty()) return id2label.size();
        JsonNode n = c.raw().get("num_labels");
        if (n != null && n.canConvertToInt() && n.asInt() > 0) return n.asInt();
        return 2;
    }

    /** HF's class name for the family, e.g. "LlamaForSequenceClassification". */
    public static String architecture(ModelConfig c) {
        return ARCHITECTURE.get(c.modelType()) + SUFFIX;
    }

    /**
     * The config of a one-label classifier built on {@code lm}'s backbone, as HF writes it for
     * {@code from_pretrained(..., num_labels=1)}: architectures, id2label {"0": "LABEL_0"}, label2id
     * {"LABEL_0": 0}, and pad_token_id (HF cannot find the last token of a batch row without it).
     */
    public static ModelConfig rewardConfig(ModelConfig lm, int padTokenId) {
        if (padTokenId < 0) throw new IllegalArgumentException("pad_token_id must be ≥ 0, got " + padTokenId);
        ObjectNode raw = lm.raw().deepCopy();
        raw.putArray("architectures").add(architecture(lm));
        raw.remove("num_labels");
        raw.putObject("id2label").put("0", "LABEL_0");
        raw.putObject("label2id").put("LABEL_0", 0);
        raw.put("pad_token_id", padTokenId);
        return ModelConfig.parse(raw, "config.json");
    }

    /** The layout a classifier is saved in: the class's base-model prefix, one file, every tensor in dtype. */
    public static HfLayout layout(ModelConfig c, DType dtype) {
        String prefix = c.family() == ModelConfig.Family.GPT2 ? "transformer." : "model.";
        return new HfLayout(prefix, dtype, Map.of(), Map.of(), List.of(), List.of());
    }

    /**
     * The pad id a reward model built on this config gets: its pad_token_id, else its (first) eos_token_id,
     * as TRL does when the tokenizer has no pad token; -1 when the config has neither.
     */
    public static int padTokenId(ModelConfig c) {
        for (String field : List.of("pad_token_id", "eos_token_id")) {
            JsonNode p = c.raw().get(field);
            if (p != null && p.isArray() && !p.isEmpty()) p = p.get(0);
            if (p != null && p.canConvertToInt() && p.asInt() >= 0) return p.asInt();
        }
        return -1;
    }

    /** Fails unless the folder's config is a one-label classifier (a reward model). */
    public static void requireRewardModel(ModelConfig c, java.nio.file.Path dir) {
        if (!isClassifier(c)) {
            throw new ModelFormatException(dir.resolve("config.json") + ": 'architectures' names no *" + SUFFIX
                    + " class; a reward model folder is what `align4j reward` saves (or HF's AutoModelForSequenceClassification)");
        }
        if (numLabels(c) != 1) {
            throw new ModelFormatException(dir.resolve("config.json") + ": the classifier has " + numLabels(c)
                    + " labels; a reward model has num_labels = 1");
        }
    }
}
