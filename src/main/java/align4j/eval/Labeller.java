package align4j.eval;

/**
 * How sampled completions get preference labels: a pointwise {@link Scorer}
 * (a reward model, a named function, BLEU or ROUGE-L against references) or a pairwise judge.
 */
public sealed interface Labeller permits Labeller.Pointwise, Labeller.Pairwise {
    String name();

    /** Whether it reads the completions as text (a reward model reads ids; every other labeller text). */
    boolean readsText();

    record Pointwise(Scorer scorer) implements Labeller {
        public String name() {
            return scorer.name();
        }

        public boolean readsText() {
            return !(scorer instanceof RewardModelScorer);
        }
    }

    record Pairwise(PairwiseJudge judge) implements Labeller {
        public String name() {
            return "judge";
        }

        public boolean readsText() {
            return true;
        }
    }
}
