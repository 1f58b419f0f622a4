package align4j.eval;

import java.util.List;

/**
 * A pointwise labeller: one score per sample, higher is better (TRL's reward functions,
 * {@code reward_func(prompts, completions, **kwargs) → list[float]}). Implementations: {@link RewardFunctions}
 * (programmatic, by name), {@link ReferenceScorer} (BLEU, ROUGE-L against a reference completion) and a reward
 * model. Scores of different samples are comparable; pairs come from them through {@link align4j.data.ScoredPairs}.
 */
public interface Scorer {
    /** A short name for logs and output records ("function:length", "bleu", "reward-model"). */
    String name();

    double[] score(List<Sample> samples);
}
