package align4j.eval;

import align4j.InputException;
import align4j.data.PreferenceTokenizer;
import align4j.io.RewardModelFolder;
import align4j.model.RewardModel;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A reward model as a pointwise labeller: r(prompt + completion) from {@link RewardModel#score}. With the reward
 * model's own tokenizer, text samples are tokenized as reward training tokenized them (prompt with BOS,
 * completion with EOS appended, {@link PreferenceTokenizer}); samples without text, or without a tokenizer,
 * are scored on their token ids, which must then come from the same vocabulary.
 */
public final class RewardModelScorer implements Scorer {
    private final RewardModel model;
    private final PreferenceTokenizer tokenizer;

    /** @param tokenizer the reward model's tokenizer, or null to score token ids */
    public RewardModelScorer(RewardModel model, PreferenceTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * A reward model folder (as {@link RewardModelFolder#load} reads it) with the tokenizer files it holds, when it
     * has them, to score text:
     * <pre>{@code
     * RewardModelScorer rm = RewardModelScorer.load(Path.of("rm"));
     * double[] r = rm.score(List.of("the film was", "the film was"), List.of("great .", "awful ."));
     * }</pre>
     */
    public static RewardModelScorer load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new InputException(dir + ": no such reward model folder");
        RewardModel rm = RewardModelFolder.load(dir);
        PreferenceTokenizer tok = Files.isRegularFile(dir.resolve("tokenizer.json")) ? new PreferenceTokenizer(Tokenizer.load(dir)) : null;
        return new RewardModelScorer(rm, tok);
    }

    /** r(prompt_i + completion_i) of text prompts and completions, tokenized as reward training tokenized them. */
    public double[] score(List<String> prompts, List<String> completions) {
        if (prompts.size() != completions.size()) throw new IllegalArgumentException(prompts.size() + " prompts for " + completions.size() + " completions");
        List<Sample> samples = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) samples.add(new Sample(prompts.get(i), null, completions.get(i), null, null));
        return score(samples);
    }

    public RewardModel model() {
        return model;
    }

    @Override
    public String name() {
        return "reward-model";
    }

    @Override
    public double[] score(List<Sample> samples) {
        List<int[]> prompts = new ArrayList<>(samples.size()), completions = new ArrayList<>(samples.size());
        int vocab = model.config().vocabSize();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            int[][] ids;
            if (tokenizer != null && s.prompt() != null && s.completion() != null) {
                ids = tokenizer.tokenize("sample " + i, TextNode.valueOf(s.prompt()), TextNode.valueOf(s.completion()), false);
            } else {
                ids = new int[][] {s.promptIds(), s.completionIds()};
                for (int[] a : ids) {
                    for (int id : a) {
                        if (id < 0 || id >= vocab) {
                            throw new InputException("sample " + i + ": token id " + id + " is outside the reward model's vocabulary (0.."
                                    + (vocab - 1) + "); give the reward model folder a tokenizer.json to score text");
                        }
                    }
                }
            }
            prompts.add(ids[0]);
            completions.add(ids[1]);
        }
        return model.score(prompts, completions);
    }
}
