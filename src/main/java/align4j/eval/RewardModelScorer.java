package align4j.eval;

import align4j.data.PreferenceTokenizer;
import align4j.model.RewardModel;
import com.fasterxml.jackson.databind.node.TextNode;
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
                            throw new IllegalArgumentException("sample " + i + ": token id " + id + " is outside the reward model's vocabulary (0.."
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
