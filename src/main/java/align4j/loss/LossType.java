package align4j.loss;

import align4j.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DPO-family loss types, spelled as TRL's {@code DPOConfig.loss_type} spells them
 * ({@code trl/trainer/dpo_trainer.py}); the formulas are in {@link DpoLoss}.
 */
public enum LossType {
    SIGMOID("sigmoid"),
    HINGE("hinge"),
    IPO("ipo"),
    ROBUST("robust"),
    EXO_PAIR("exo_pair"),
    NCA_PAIR("nca_pair"),
    BCO_PAIR("bco_pair"),
    SPPO_HARD("sppo_hard"),
    AOT("aot"),
    AOT_UNPAIRED("aot_unpaired"),
    APO_ZERO("apo_zero"),
    APO_DOWN("apo_down"),
    DISCOPOP("discopop"),
    SIGMOID_NORM("sigmoid_norm"),
    /** The token-mean NLL of the chosen completions (TRL's {@code "sft"} term; MPO combines it with others). */
    SFT("sft");

    /** TRL's spelling. */
    public final String trlName;

    LossType(String trlName) {
        this.trlName = trlName;
    }

    /** Whether the loss needs the completion lengths (length-averaged log-ratios). */
    public boolean needsLengths() {
        return this == IPO || this == SIGMOID_NORM || this == SFT;
    }

    /** Whether the loss sorts the batch (aot, aot_unpaired): its per-pair losses are indexed by rank, not by pair. */
    public boolean sortsBatch() {
        return this == AOT || this == AOT_UNPAIRED;
    }

    /**
     * Parses TRL's spelling; {@code aot_pair} (TRL ≤ 0.27) is accepted for {@code aot_unpaired}.
     * @throws IllegalArgumentException naming the accepted values
     */
    public static LossType parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("aot_pair")) return AOT_UNPAIRED;
        for (LossType t : values()) {
            if (t.trlName.equals(n)) return t;
        }
        throw new InputException("unknown loss_type '" + name + "'; expected one of " + names());
    }

    /** All TRL spellings, in declaration order. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (LossType t : values()) out.add(t.trlName);
        return out;
    }

    @Override
    public String toString() {
        return trlName;
    }
}
