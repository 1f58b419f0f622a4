package align4j.quickstart;

import align4j.train.Pairs;
import align4j.train.Rollouts;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Preference labels drawn from the Bradley–Terry model of the gold reward: for two completions a, b of
 * one prompt, a is preferred with probability P(a ≻ b) = σ((r(a) − r(b))/τ) (Bradley &amp; Terry 1952; the
 * preference model the DPO paper assumes, eq. 1, with the gold reward scaled by 1/τ as the latent
 * utility). Identical completions carry no preference and are dropped.
 */
final class PreferenceLabels {
    private PreferenceLabels() {}

    /** The labelled pairs and how often the label agrees with the higher gold reward (ties excluded). */
    record Labelled(Pairs pairs, double agreement) {}

    /** Rollouts laid out in twos (completion 2i and 2i+1 answer the same prompt). */
    static Labelled label(Rollouts r, double tau, SplittableRandom rnd) {
        List<int[]> p = new ArrayList<>(), c = new ArrayList<>(), l = new ArrayList<>();
        int agree = 0, decided = 0;
        for (int i = 0; i + 1 < r.size(); i += 2) {
            int[] a = r.completions()[i], b = r.completions()[i + 1];
            double ra = GoldReward.reward(a), rb = GoldReward.reward(b);
            double pa = 1 / (1 + Math.exp(-(ra - rb) / tau));
            boolean aWins = rnd.nextDouble() < pa;
            if (java.util.Arrays.equals(a, b)) continue;
            p.add(r.prompts()[i]);
            c.add(aWins ? a : b);
            l.add(aWins ? b : a);
            if (ra != rb) {
                decided++;
                if (aWins == ra > rb) agree++;
            }
        }
        String[] src = new String[p.size()];
        for (int i = 0; i < src.length; i++) src[i] = "quickstart pair " + i;
        Pairs pairs = new Pairs(p.toArray(new int[0][]), c.toArray(new int[0][]), l.toArray(new int[0][]), src);
        return new Labelled(pairs, decided == 0 ? Double.NaN : (double) agree / decided);
    }
}
