package align4j.eval;

import align4j.data.DatasetRecord;

/**
 * One completion to be judged: its prompt and completion as text and as token ids (either may be null when
 * the caller has only the other), the reference completion when the data has one (else null), and the prompt's
 * dataset record when the caller keeps it (the RL commands; else null): every column of it, as TRL passes a
 * reward function the dataset's other columns as {@code **kwargs}.
 */
public record Sample(String prompt, int[] promptIds, String completion, int[] completionIds, String reference,
                     DatasetRecord record) {
    /** A sample without a dataset record. */
    public Sample(String prompt, int[] promptIds, String completion, int[] completionIds, String reference) {
        this(prompt, promptIds, completion, completionIds, reference, null);
    }
}
