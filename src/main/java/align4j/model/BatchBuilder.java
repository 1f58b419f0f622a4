package align4j.model;

import align4j.tensor.AttentionMask;
import java.util.Arrays;

/**
 * Packs token sequences into a {@link Batch}. Two ways to add a completion:
 * <ul>
 *   <li>{@link #addSequence}: prompt and completion as one causal segment (what a padded PyTorch batch computes);
 *   <li>{@link #addPrompt} then {@link #addCompletion}: the prompt is computed once and each completion is a
 *       segment whose parent is the prompt (prefix sharing): its positions continue after the prompt and its
 *       tokens attend to the prompt's keys, so chosen and rejected share one prompt computation.
 * </ul>
 * Both give the same log-probabilities; sharing saves the prompt's compute for the second completion.
 */
public final class BatchBuilder {
    private int[] tokens = new int[256], positions = new int[256], segStart = new int[256],
            parentStart = new int[256], parentEnd = new int[256];
    private int n;
    private int[] tRows = new int[256], tTokens = new int[256], tSeq = new int[256];
    private int nt;
    private int sequences;

    /** A prompt segment that completions can share; returns its handle (start, length). */
    public Prompt addPrompt(int[] prompt) {
        int start = n;
        appendSegment(prompt, 0, start, 0, 0);
        return new Prompt(start, prompt.length);
    }

    /** A handle on a packed prompt segment. */
    public record Prompt(int start, int length) {}

    /**
     * A completion attending to {@code prompt}; returns its sequence index. The first completion token is
     * predicted from the prompt's last row (none when the prompt is empty: that token is not scored, as in
     * Hugging Face's shifted labels).
     */
    public int addCompletion(Prompt prompt, int[] completion) {
        int seq = sequences++;
        int start = n;
        int pEnd = prompt.start + prompt.length;
        appendSegment(completion, prompt.length, start, prompt.start, pEnd);
        for (int j = 0; j < completion.length; j++) {
            int row = j == 0 ? pEnd - 1 : start + j - 1;
            if (j == 0 && prompt.length == 0) continue;
            addTarget(row, completion[j], seq);
        }
        return seq;
    }

    /** Prompt and completion as one causal segment; only completion tokens are scored. Returns the sequence index. */
    public int addSequence(int[] prompt, int[] completion) {
        int seq = sequences++;
        int start = n;
        int[] all = Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, all, prompt.length, completion.length);
        appendSegment(all, 0, start, 0, 0);
        for (int j = 0; j < completion.length; j++) {
            int p = prompt.length + j;
            if (p == 0) continue;
            addTarget(start + p - 1, completion[j], seq);
        }
        return seq;
    }

    /** A segment scored at every position after the first (language modelling on the whole sequence). */
    public int addScoredSequence(int[] ids, int firstScored) {
        int seq = sequences++;
        int start = n;
        appendSegment(ids, 0, start, 0, 0);
        for (int p = Math.max(1, firstScored); p < ids.length; p++) addTarget(start + p - 1, ids[p], seq);
        return seq;
    }

    /** A segment scored at each position i ≥ 1 with scored[i] (SFT's loss mask: completion or assistant tokens). */
    public int addMaskedSequence(int[] ids, boolean[] scored) {
        int seq = sequences++;
        int start = n;
        appendSegment(ids, 0, start, 0, 0);
        for (int p = 1; p < ids.length; p++) if (scored[p]) addTarget(start + p - 1, ids[p], seq);
        return seq;
    }

    public int tokens() {
        return n;
    }

    public Batch build() {
        AttentionMask mask = new AttentionMask(Arrays.copyOf(segStart, n), Arrays.copyOf(parentStart, n),
                Arrays.copyOf(parentEnd, n));
        return new Batch(Arrays.copyOf(tokens, n), Arrays.copyOf(positions, n), mask,
                new Batch.Targets(Arrays.copyOf(tRows, nt), Arrays.copyOf(tTokens, nt), Arrays.copyOf(tSeq, nt)),
                sequences);
    }

    private void appendSegment(int[] ids, int firstPosition, int start, int pStart, int pEnd) {
        ensure(n + ids.length);
        for (int i = 0; i < ids.length; i++) {
            tokens[n] = ids[i];
            positions[n] = firstPosition + i;
            segStart[n] = start;
            parentStart[n] = pStart;
            parentEnd[n] = pEnd;
            n++;
        }
    }

    private void addTarget(int row, int token, int seq) {
        if (nt == tRows.length) {
            int cap = nt * 2;
            tRows = Arrays.copyOf(tRows, cap);
            tTokens = Arrays.copyOf(tTokens, cap);
            tSeq = Arrays.copyOf(tSeq, cap);
        }
        tRows[nt] = row;
        tTokens[nt] = token;
        tSeq[nt] = seq;
        nt++;
    }

    private void ensure(int cap) {
        if (cap <= tokens.length) return;
        int c = Math.max(cap, tokens.length * 2);
        tokens = Arrays.copyOf(tokens, c);
        positions = Arrays.copyOf(positions, c);
        segStart = Arrays.copyOf(segStart, c);
        parentStart = Arrays.copyOf(parentStart, c);
        parentEnd = Arrays.copyOf(parentEnd, c);
    }
}
