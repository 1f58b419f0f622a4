package align4j.eval;

/**
 * One completion to be judged: its prompt and completion as text and as token ids (either may be null when
 * the caller has only the other), and the reference completion when the data has one (else null).
 */
public record Sample(String prompt, int[] promptIds, String completion, int[] completionIds, String reference) {}
