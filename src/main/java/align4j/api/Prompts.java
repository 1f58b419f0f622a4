package align4j.api;

import align4j.InputException;
import align4j.data.DatasetRecord;
import java.util.List;

/**
 * The prompts an online RL job ({@link Ppo}, {@link Grpo}, {@link Rloo}) samples from, in a seeded order, and how
 * many to train on in all.
 *
 * @param ids           token ids of each prompt (as {@code data.PromptDataset} reads them from a prompt file)
 * @param records       the dataset record of each prompt, one for one, whose columns ({@code solution}, …) reward
 *                      functions read (TRL's {@code **kwargs}); empty: the prompts have none
 * @param totalEpisodes prompts to train on in all (TRL's {@code total_episodes}): it sets the steps when
 *                      TrainingArgs' maxSteps is not set; 0: not set, the steps come from num_train_epochs
 */
public record Prompts(int[][] ids, List<DatasetRecord> records, long totalEpisodes) {
    public Prompts {
        if (ids.length == 0) throw new InputException("no prompts to train on");
        if (!records.isEmpty() && records.size() != ids.length) {
            throw new InputException(records.size() + " records for " + ids.length + " prompts");
        }
        if (totalEpisodes < 0) throw new InputException("total_episodes must be ≥ 1 (0: not set), got " + totalEpisodes);
        records = List.copyOf(records);
    }

    /** Prompts without records. */
    public Prompts(int[][] ids, long totalEpisodes) {
        this(ids, List.of(), totalEpisodes);
    }

    /** The prompts, with the steps set by TrainingArgs (max_steps or num_train_epochs). */
    public static Prompts of(int[][] ids) {
        return new Prompts(ids, 0);
    }

    /** The prompts of a prompt file with their records ({@code data.PromptDataset.loadWithRecords}). */
    public static Prompts of(int[][] ids, List<DatasetRecord> records) {
        return new Prompts(ids, records, 0);
    }

    public Prompts withTotalEpisodes(long totalEpisodes) {
        return new Prompts(ids, records, totalEpisodes);
    }
}
