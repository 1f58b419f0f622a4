package align4j.api;

import align4j.InputException;

/**
 * The prompts an online RL job ({@link Ppo}, {@link Grpo}, {@link Rloo}) samples from, in a seeded order, and how
 * many to train on in all.
 *
 * @param ids           token ids of each prompt (as {@code data.PromptDataset} reads them from a prompt file)
 * @param totalEpisodes prompts to train on in all (TRL's {@code total_episodes}): it sets the steps when
 *                      TrainingArgs' maxSteps is not set; 0: not set, the steps come from num_train_epochs
 */
public record Prompts(int[][] ids, long totalEpisodes) {
    public Prompts {
        if (ids.length == 0) throw new InputException("no prompts to train on");
        if (totalEpisodes < 0) throw new InputException("total_episodes must be ≥ 1 (0: not set), got " + totalEpisodes);
    }

    /** The prompts, with the steps set by TrainingArgs (max_steps or num_train_epochs). */
    public static Prompts of(int[][] ids) {
        return new Prompts(ids, 0);
    }

    public Prompts withTotalEpisodes(long totalEpisodes) {
        return new Prompts(ids, totalEpisodes);
    }
}
