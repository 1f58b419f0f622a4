package align4j.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The HF logits warpers against hand-computed examples, and sampled frequencies against the warped distribution. */
class SamplerTest {
    static final float NEG = Float.NEGATIVE_INFINITY;

    static float[] logOf(double... probs) {
        float[] x = new float[probs.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.log(probs[i]);
        return x;
    }

    static boolean[] kept(float[] x) {
        boolean[] k = new boolean[x.length];
        for (int i = 0; i < x.length; i++) k[i] = x[i] != NEG;
        return k;
    }

    @Test
    void topKKeepsTheKLargestAndTiesWithTheKth() {
        float[] x = {1, 3, 2, 3, 0};
        new LogitsWarpers().topK(x, 0, 5, 2);
        assertArrayEquals(new float[] {NEG, 3, NEG, 3, NEG}, x); // both 3s: the 2nd largest is 3
        x = new float[] {1, 3, 2, 3, 0};
        new LogitsWarpers().topK(x, 0, 5, 3);
        assertArrayEquals(new float[] {NEG, 3, 2, 3, NEG}, x);
        x = new float[] {0.5f, -1, 4, 2, 2, 7};
        new LogitsWarpers().topK(x, 0, 6, 1);
        assertArrayEquals(new float[] {NEG, NEG, NEG, NEG, NEG, 7}, x);
        x = new float[] {1, 2};
        new LogitsWarpers().topK(x, 0, 2, 5); // k ≥ vocab keeps everything
        assertArrayEquals(new float[] {1, 2}, x);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // p = [0.5, 0.05, 0.3, 0.15]; HF: ascending cumsum 0.05, 0.2, 0.5, 1.0; remove where ≤ 1 − top_p
        assertArrayEquals(new boolean[] {true, false, true, false}, topP(0.7f, 0.5, 0.05, 0.3, 0.15)); // 0.2 ≤ 0.3 removed
        assertArrayEquals(new boolean[] {true, false, true, true}, topP(0.9f, 0.5, 0.05, 0.3, 0.15)); // only 0.05 ≤ 0.1
        assertArrayEquals(new boolean[] {true, false, false, false}, topP(0.4f, 0.5, 0.05, 0.3, 0.15)); // 0.5 ≤ 0.6
        assertArrayEquals(new boolean[] {true, false, false, false}, topP(0.01f, 0.5, 0.05, 0.3, 0.15)); // ≥ 1 kept
        assertArrayEquals(new boolean[] {true, true, true, true}, topP(1f, 0.5, 0.05, 0.3, 0.15));
        // already-filtered (−∞) entries have probability 0 and stay removed
        float[] x = {0, NEG, 0, (float) Math.log(2)};
        new LogitsWarpers().topP(x, 0, 4, 0.6f); // p = [0.25, 0, 0.25, 0.5]: 0.5 then 0.25 (id 0 first on the tie)
        assertArrayEquals(new boolean[] {true, false, false, true}, kept(x));
    }

    static boolean[] topP(float p, double... probs) {
        float[] x = logOf(probs);
        new LogitsWarpers().topP(x, 0, x.length, p);
        return kept(x);
    }

    /** A large near-flat vocabulary (the threshold search must go down several levels) against sorting everything. */
    @Test
    void topPOnALargeVocabularyMatchesAFullSort() {
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 20000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * 0.5);
        x[17] = 6; // one token holds a good part of the mass
        for (float p : new float[] {0.05f, 0.3f, 0.9f, 0.99f}) {
            float[] y = x.clone();
            new LogitsWarpers().topP(y, 0, n, p);
            // reference: probabilities in double, sorted descending; keep j while the mass before it is < p
            double max = 6, total = 0;
            double[] pr = new double[n];
            for (int i = 0; i < n; i++) total += pr[i] = Math.exp(x[i] - max);
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            Arrays.sort(idx, (a, b) -> Double.compare(pr[b], pr[a]));
            boolean[] want = new boolean[n];
            double before = 0;
            for (int j = 0; j < n; j++) {
                if (j > 0 && before >= p) break;
                want[idx[j]] = true;
                before += pr[idx[j]] / total;
            }
            int keptCount = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(want[i], y[i] != NEG, "p=" + p + " token " + i);
                if (want[i]) keptCount++;
            }
            if (p > 0.5f) assertTrue(keptCount > 100, "p=" + p + " kept " + keptCount);
        }
    }

    @Test
    void greedyIsTheFirstArgmaxAndIgnoresWarpers() {
        float[] logits = {0.1f, 2f, 2f, -1f};
        SamplingParams greedy = new SamplingParams(4, false, 0.3f, 1, 0.1f, 1, List.of(), List.of());
        assertEquals(1, new TokenSampler().next(logits, 0, 4, greedy, new SplittableRandom(1)));
        SamplingParams zeroTemperature = new SamplingParams(4, true, 0f, 0, 1f, 1, List.of(), List.of());
        assertFalse(zeroTemperature.sampling());
        assertEquals(1, new TokenSampler().next(logits, 0, 4, zeroTemperature, new SplittableRandom(1)));
    }

    @Test
    void logprobIsOfTheRawDistributionWhateverTheTemperature() {
        float[] logits = {1f, 0f, -1f};
        double lse = Math.log(Math.E + 1 + 1 / Math.E);
        TokenSampler s = new TokenSampler();
        SamplingParams hot = new SamplingParams(4, true, 3f, 0, 1f, 1, List.of(), List.of());
        SplittableRandom rnd = new SplittableRandom(2);
        for (int i = 0; i < 20; i++) {
            int t = s.next(logits, 0, 3, hot, rnd);
            assertEquals(logits[t] - lse, s.logprob(), 1e-6);
        }
    }

    /**
     * 40,000 draws with temperature 0.7, top-k 5 and top-p 0.8 over 7 logits: filtered tokens never appear,
     * and Pearson's χ² of the counts against the distribution computed here by hand stays below 25 (for 2–4
     * degrees of freedom that is a p-value below 1e-4: a wrong temperature or filter fails it by far).
     */
    @Test
    void sampledFrequenciesMatchTheTemperedFilteredDistribution() {
        float[] logits = {2.0f, 1.5f, 0.2f, 1.0f, -0.5f, 0.9f, 0.1f};
        double t = 0.7;
        // top-k 5 keeps {0, 1, 3, 5, 2} (drops 0.1 and −0.5); tempered probs over those, then top-p 0.8
        int[] topk = {0, 1, 3, 5, 2};
        double[] w = new double[7];
        double z = 0;
        for (int i : topk) z += w[i] = Math.exp(logits[i] / t);
        // descending: 0, 1, 3, 5, 2; keep while the mass before is < 0.8
        double before = 0;
        boolean[] keep = new boolean[7];
        for (int i : topk) {
            if (before >= 0.8) break;
            keep[i] = true;
            before += w[i] / z;
        }
        double zk = 0;
        for (int i = 0; i < 7; i++) if (keep[i]) zk += w[i];
        int kept = 0;
        for (boolean b : keep) if (b) kept++;
        assertTrue(kept >= 3 && kept <= 4, "the example should filter: kept " + kept);

        SamplingParams p = new SamplingParams(1, true, (float) t, 5, 0.8f, 1, List.of(), List.of());
        TokenSampler s = new TokenSampler();
        SplittableRandom rnd = new SplittableRandom(123);
        int draws = 40000;
        int[] counts = new int[7];
        for (int d = 0; d < draws; d++) counts[s.next(logits, 0, 7, p, rnd)]++;
        double chi2 = 0;
        for (int i = 0; i < 7; i++) {
            if (!keep[i]) {
                assertEquals(0, counts[i], "filtered token " + i + " was drawn");
                continue;
            }
            double e = draws * w[i] / zk;
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
        }
        assertTrue(chi2 < 25, "chi2 " + chi2 + " counts " + Arrays.toString(counts));
    }

    @Test
    void drawInvertsTheCdfInIdOrder() {
        // weights 1 : 2 : 1 (logits log 1, log 2, log 1): u < 0.25 → 0, < 0.75 → 1, else 2
        assertEquals(0, TokenSampler.draw(logOf(0.25, 0.5, 0.25), 3, 0.2));
        assertEquals(1, TokenSampler.draw(logOf(0.25, 0.5, 0.25), 3, 0.3));
        assertEquals(1, TokenSampler.draw(logOf(0.25, 0.5, 0.25), 3, 0.74));
        assertEquals(2, TokenSampler.draw(logOf(0.25, 0.5, 0.25), 3, 0.76));
        assertEquals(2, TokenSampler.draw(new float[] {NEG, 0, 0, NEG}, 4, 0.9999));
    }
}
