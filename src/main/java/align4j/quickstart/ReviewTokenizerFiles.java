package align4j.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the review vocabulary as a Hugging Face tokenizer folder that both {@link align4j.text.Tokenizer}
 * (Hugging Face's Rust tokenizers through DJL) and {@code transformers.AutoTokenizer} load:
 * {@code tokenizer.json} with a WordLevel model (one id per word, {@code <unk>} for anything else) behind
 * the {@code Whitespace} pre-tokenizer (runs of word characters, or of punctuation, so "good." is "good" "."),
 * no normalizer, post-processor or decoder (decoding joins tokens with spaces); {@code <|endoftext|>} (id 0)
 * is an added special token, the BOS, EOS and pad token as in GPT-2; plus {@code tokenizer_config.json}
 * and {@code special_tokens_map.json}.
 */
public final class ReviewTokenizerFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReviewTokenizerFiles() {}

    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> vocab = ReviewTask.vocab();
        ObjectNode tok = JSON.createObjectNode();
        tok.put("version", "1.0");
        tok.putNull("truncation");
        tok.putNull("padding");
        ArrayNode added = tok.putArray("added_tokens");
        for (String special : List.of(ReviewTask.EOS, ReviewTask.UNK)) {
            ObjectNode a = added.addObject();
            a.put("id", vocab.indexOf(special));
            a.put("content", special);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        tok.putNull("normalizer");
        tok.putObject("pre_tokenizer").put("type", "Whitespace");
        tok.putNull("post_processor");
        tok.putNull("decoder");
        ObjectNode model = tok.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) v.put(vocab.get(i), i);
        model.put("unk_token", ReviewTask.UNK);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), tok);

        ObjectNode special = JSON.createObjectNode();
        special.put("bos_token", ReviewTask.EOS);
        special.put("eos_token", ReviewTask.EOS);
        special.put("unk_token", ReviewTask.UNK);
        special.put("pad_token", ReviewTask.EOS);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("special_tokens_map.json").toFile(), special);
        ObjectNode cfg = special.deepCopy();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("model_max_length", 64);
        cfg.put("clean_up_tokenization_spaces", false);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
    }
}
