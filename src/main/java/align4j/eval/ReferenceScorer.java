package align4j.eval;

import align4j.InputException;
import java.util.List;

/**
 * Scores a completion by its overlap with the sample's reference completion: sentence BLEU (sacreBLEU's
 * {@code sentence_bleu} defaults, 0–100, {@link Bleu}) or ROUGE-L F-measure (rouge-score, 0–1, {@link Rouge}).
 */
public final class ReferenceScorer implements Scorer {
    public enum Metric { BLEU, ROUGE_L }

    private final Metric metric;

    public ReferenceScorer(Metric metric) {
        this.metric = metric;
    }

    @Override
    public String name() {
        return metric == Metric.BLEU ? "bleu" : "rouge-l";
    }

    @Override
    public double[] score(List<Sample> samples) {
        double[] out = new double[samples.size()];
        for (int i = 0; i < out.length; i++) {
            Sample s = samples.get(i);
            if (s.reference() == null) throw new InputException(name() + " needs a reference completion (--references FIELD)");
            out[i] = switch (metric) {
                case BLEU -> Bleu.sentence(s.completion(), List.of(s.reference()), Bleu.Options.sentenceDefaults()).score();
                case ROUGE_L -> Rouge.score(s.reference(), s.completion()).rougeL().fmeasure();
            };
        }
        return out;
    }
}
