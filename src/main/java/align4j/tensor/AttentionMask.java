package align4j.tensor;

/**
 * Which keys each query of a packed row may see: query i attends to keys
 * [parentStart[i], parentEnd[i]) ∪ [segStart[i], i]. A plain causal segment has
 * parentStart == parentEnd; a completion that shares its prompt (prefix sharing,
 * docs/DESIGN.md#packed-batches-and-prefix-sharing) names the
 * prompt's token range as its parent. Attention never crosses segments otherwise.
 */
public record AttentionMask(int[] segStart, int[] parentStart, int[] parentEnd) {
    /** One causal sequence per segment, no parents. */
    public static AttentionMask causal(int[] segStart) {
        return new AttentionMask(segStart, new int[segStart.length], new int[segStart.length]);
    }
}
