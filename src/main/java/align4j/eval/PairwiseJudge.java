package align4j.eval;

import java.util.List;

/**
 * A pairwise labeller, as TRL's {@code BasePairwiseJudge.judge(prompts, completions, shuffle_order)}: for each
 * prompt and its two completions, the index (0 or 1) of the better one, or −1 when the judge gave no valid answer.
 */
public interface PairwiseJudge {
    int[] judge(List<String> prompts, List<String[]> pairs);
}
