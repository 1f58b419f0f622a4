package align4j.data;

import align4j.InputException;
import java.util.Locale;

/** How scored (pointwise) or ranked (listwise) completions of one prompt become preference pairs. */
public enum Pairing {
    /** Every pair whose scores (or ranks) differ, better one chosen. */
    ALL_PAIRS,
    /** One pair per prompt: the best against the worst, when they differ. */
    BEST_VS_WORST;

    /** The one spelling of {@code --pairing}: all_pairs or best_vs_worst (also with hyphens, and collect's older all / best-worst). */
    public static Pairing parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "all_pairs", "all" -> ALL_PAIRS;
            case "best_vs_worst", "best_worst" -> BEST_VS_WORST;
            default -> throw new InputException("--pairing must be all_pairs or best_vs_worst, got '" + name + "'");
        };
    }

    /** The name {@link #parse} reads back. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
