package align4j.generate;

import align4j.model.KvCache;
import align4j.model.Transformer;
import align4j.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Autoregressive generation with a KV cache ({@link Transformer#forwardCached}) and continuous
 * batching: up to {@link #batchSize} sequences decode together, one token per sequence per step, the
 * new tokens going through each projection as one [B, C] product; a finished sequence's cache slot is
 * given to the next waiting prompt, whose prompt is prefilled in the same step as the others' tokens.
 *
 * <p>Each prompt yields num_return_sequences completions. Sequence i (prompt i / n, sample i % n) draws
 * from its own random stream, seeded from (seed, i) only, so a completion does not depend on the
 * batch size or on the other prompts (up to float rounding: a product over fewer than five rows takes
 * another, differently rounded, kernel path; a near-tie between two tokens could then resolve
 * differently).
 *
 * <pre>{@code
 * Generator g = new Generator(model, tokenizer).batchSize(8);
 * SamplingParams p = SamplingParams.sampling(64, List.of(tokenizer.eosId())).withTopP(0.9f);
 * List<Generation> out = g.generate(List.of(tokenizer.encode("Hello", true)), p, 42);
 * }</pre>
 */
public final class Generator {
    private final Transformer model;
    private final Tokenizer tokenizer;
    private int batchSize = 16;
    private Progress progress = (done, total, tokens) -> { };

    /** Called after every decoding step. */
    public interface Progress {
        void update(int finishedSequences, int totalSequences, long generatedTokens);
    }

    /** A generator for a model; tokenizer may be null (then no text, and no stop strings). */
    public Generator(Transformer model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Greedy or sampled generation without a tokenizer (no text, no stop strings), 16 sequences at a time. */
    public static List<Generation> generate(Transformer model, List<int[]> prompts, SamplingParams params, long seed) {
        return new Generator(model, null).generate(prompts, params, seed);
    }

    /** Sequences decoded together (cache slots); default 16. */
    public Generator batchSize(int b) {
        if (b < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + b);
        this.batchSize = b;
        return this;
    }

    public Generator onProgress(Progress p) {
        this.progress = p;
        return this;
    }

    /** The splitmix64 finaliser of (seed, sequence index): sequence i's own random stream. */
    static long streamSeed(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Completions for every prompt, prompt-major: result i is prompt i / n's completion i % n, where n is
     * num_return_sequences. Prompts are token ids (at least one each).
     */
    public List<Generation> generate(List<int[]> prompts, SamplingParams params, long seed) {
        if (!params.stop().isEmpty() && tokenizer == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer to decode the completions");
        }
        int n = params.numReturnSequences(), total = prompts.size() * n, maxPos = model.cfg.maxPositions();
        for (int i = 0; i < prompts.size(); i++) {
            int len = prompts.get(i).length;
            if (len == 0) throw new IllegalArgumentException("prompt " + i + " is empty; generation needs at least one token");
            if (len > maxPos) {
                throw new IllegalArgumentException("prompt " + i + " has " + len + " tokens, more than the model's "
                        + maxPos + " positions");
            }
        }
        Generation[] out = new Generation[total];
        int vocab = model.head().vocab();
        int slots = Math.min(batchSize, Math.max(1, total));
        KvCache cache = new KvCache(model.cfg, slots);
        Seq[] bySlot = new Seq[slots];
        TokenSampler sampler = new TokenSampler();
        int[] tokens = new int[0], rowSlots = new int[0], lastRows = new int[slots], activeSlots = new int[slots];
        float[] logits = new float[0];
        int next = 0, done = 0;
        long generated = 0;
        while (done < total) {
            for (int s = 0; s < slots && next < total; s++) {
                if (bySlot[s] != null) continue;
                int i = next++;
                Seq q = new Seq(i, prompts.get(i / n), Math.min(params.maxNewTokens(), maxPos - prompts.get(i / n).length + 1),
                        new SplittableRandom(streamSeed(seed, i)));
                if (q.limit <= 0) {
                    out[i] = finish(q, Generation.FinishReason.LENGTH, null, n);
                    done++;
                    s--;
                    continue;
                }
                cache.reset(s);
                bySlot[s] = q;
            }
            int rows = 0, active = 0;
            for (Seq q : bySlot) if (q != null) rows += q.fed ? 1 : q.prompt.length;
            if (rows == 0) continue;
            if (tokens.length < rows) {
                tokens = new int[rows];
                rowSlots = new int[rows];
            }
            rows = 0;
            for (int s = 0; s < slots; s++) {
                Seq q = bySlot[s];
                if (q == null) continue;
                if (q.fed) {
                    tokens[rows] = q.ids[q.count - 1];
                    rowSlots[rows++] = s;
                } else {
                    System.arraycopy(q.prompt, 0, tokens, rows, q.prompt.length);
                    Arrays.fill(rowSlots, rows, rows + q.prompt.length, s);
                    rows += q.prompt.length;
                    q.fed = true;
                }
                lastRows[active] = rows - 1;
                activeSlots[active++] = s;
            }
            float[] hidden = model.forwardCached(cache, tokens, rowSlots, rows);
            if (logits.length < active * vocab) logits = new float[Math.multiplyExact(slots, vocab)];
            model.logitsAt(logits, hidden, lastRows, active);
            for (int j = 0; j < active; j++) {
                int s = activeSlots[j];
                Seq q = bySlot[s];
                int tok = sampler.next(logits, j * vocab, vocab, params, q.rng);
                q.add(tok, sampler.logprob());
                generated++;
                Generation g = null;
                if (params.stopTokenIds().contains(tok)) {
                    g = finish(q, Generation.FinishReason.STOP, null, n);
                } else if (!params.stop().isEmpty()) {
                    String text = tokenizer.decode(Arrays.copyOf(q.ids, q.count), true);
                    int cut = firstStop(text, params.stop());
                    if (cut >= 0) g = finish(q, Generation.FinishReason.STOP, text.substring(0, cut), n);
                }
                if (g == null && q.count >= q.limit) g = finish(q, Generation.FinishReason.LENGTH, null, n);
                if (g != null) {
                    out[q.index] = g;
                    bySlot[s] = null;
                    done++;
                }
            }
            progress.update(done, total, generated);
        }
        return List.of(out);
    }

    private static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** The finished record; text is decoded (special tokens skipped) unless a stop string already cut it. */
    private Generation finish(Seq q, Generation.FinishReason reason, String text, int n) {
        int[] ids = Arrays.copyOf(q.ids, q.count);
        if (text == null && tokenizer != null) {
            boolean endsWithStopId = reason == Generation.FinishReason.STOP && q.count > 0;
            text = tokenizer.decode(endsWithStopId ? Arrays.copyOf(ids, ids.length - 1) : ids, true);
        }
        return new Generation(q.index / n, q.index % n, ids, Arrays.copyOf(q.logprobs, q.count), text, reason);
    }

    /** A sequence in flight: its prompt, what it has generated, and its own random stream. */
    private static final class Seq {
        final int index;
        final int[] prompt;
        final int limit;
        final SplittableRandom rng;
        int[] ids = new int[16];
        float[] logprobs = new float[16];
        int count;
        boolean fed;

        Seq(int index, int[] prompt, int limit, SplittableRandom rng) {
            this.index = index;
            this.prompt = prompt;
            this.limit = limit;
            this.rng = rng;
        }

        void add(int tok, float logprob) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                logprobs = Arrays.copyOf(logprobs, count * 2);
            }
            ids[count] = tok;
            logprobs[count++] = logprob;
        }
    }
}
