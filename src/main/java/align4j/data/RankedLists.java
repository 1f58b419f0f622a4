package align4j.data;

/**
 * Tokenized rankings as the listwise trainers consume them: for list i, the prompt ids and the ids of its K_i ≥ 2
 * completions, best first, and where the list came from ("file:line") for errors.
 */
public record RankedLists(int[][] prompts, int[][][] completions, String[] sources) {
    public RankedLists {
        for (int i = 0; i < completions.length; i++) {
            if (completions[i].length < 2) {
                throw new IllegalArgumentException("list " + sources[i] + " has " + completions[i].length + " completions; a ranking needs 2");
            }
        }
    }

    /** Pairs as rankings of two: chosen above rejected. */
    public static RankedLists of(Pairs pairs) {
        int n = pairs.size();
        int[][][] c = new int[n][][];
        for (int i = 0; i < n; i++) c[i] = new int[][] {pairs.chosen()[i], pairs.rejected()[i]};
        return new RankedLists(pairs.prompts(), c, pairs.sources());
    }

    public int size() {
        return prompts.length;
    }

    /** Completions over all lists. */
    public int completionCount() {
        int k = 0;
        for (int[][] c : completions) k += c.length;
        return k;
    }

    /** Per-list values (reference log-probs) of the lists at idx, in idx's order. */
    public static double[][] pick(double[][] perList, int[] idx) {
        double[][] out = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) out[i] = perList[idx[i]];
        return out;
    }

    /** The lists at the given indices, in that order. */
    public RankedLists select(int[] idx) {
        int n = idx.length;
        int[][] p = new int[n][];
        int[][][] c = new int[n][][];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = prompts[idx[i]];
            c[i] = completions[idx[i]];
            s[i] = sources[idx[i]];
        }
        return new RankedLists(p, c, s);
    }

    /** Prompt + completion tokens of each completion of the given lists (what a padded batch would hold). */
    public long tokens(int[] idx) {
        long t = 0;
        for (int i : idx) {
            for (int[] c : completions[i]) t += prompts[i].length + c.length;
        }
        return t;
    }
}
