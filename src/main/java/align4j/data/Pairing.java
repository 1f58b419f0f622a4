package align4j.data;

/** How scored (pointwise) or ranked (listwise) completions of one prompt become preference pairs. */
public enum Pairing {
    /** Every pair whose scores (or ranks) differ, better one chosen. */
    ALL_PAIRS,
    /** One pair per prompt: the best against the worst, when they differ. */
    BEST_VS_WORST
}
