package align4j.data;

/**
 * Tokenized preference pairs as the trainers consume them: for pair i, the prompt ids and the chosen
 * and rejected completion ids that follow it, and where the pair came from ("file:line") for errors.
 */
public record Pairs(int[][] prompts, int[][] chosen, int[][] rejected, String[] sources) {
    public int size() {
        return prompts.length;
    }

    /** Per-pair values (reference log-probs, margins) of the pairs at idx, in idx's order; null stays null. */
    public static double[] pick(double[] perPair, int[] idx) {
        if (perPair == null) return null;
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = perPair[idx[i]];
        return out;
    }

    /** The pairs at the given indices, in that order. */
    public Pairs select(int[] idx) {
        int n = idx.length;
        int[][] p = new int[n][], c = new int[n][], r = new int[n][];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = prompts[idx[i]];
            c[i] = chosen[idx[i]];
            r[i] = rejected[idx[i]];
            s[i] = sources[idx[i]];
        }
        return new Pairs(p, c, r, s);
    }

    /** Prompt + chosen + rejected tokens of the given pairs (what a padded batch would hold: chosen and rejected rows). */
    public long tokens(int[] idx) {
        long t = 0;
        for (int i : idx) t += 2L * prompts[i].length + chosen[i].length + rejected[i].length;
        return t;
    }
}
