package align4j.tensor;

import static align4j.tensor.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddingTest {
    private static final int VOCAB = 11, MAX_POS = 9;

    static double[] reference(double[] wte, double[] wpe, int[] tokens, int[] pos, int c) {
        double[] out = new double[tokens.length * c];
        for (int r = 0; r < tokens.length; r++) {
            for (int i = 0; i < c; i++) {
                out[r * c + i] = wte[tokens[r] * c + i] + (wpe == null ? 0 : wpe[pos[r] * c + i]);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "c={0}")
    @ValueSource(ints = {3, 16, 37})
    void forwardMatchesReferenceAndBackwardMatchesFiniteDifferencesWithRepeatedTokens(int c) {
        Random rnd = new Random(c);
        int[] tokens = {4, 0, 4, 10, 2, 4, 0}, pos = {0, 1, 2, 3, 0, 1, 8};
        int rows = tokens.length;
        float[] wte = randn(rnd, VOCAB * c, 1), wpe = randn(rnd, MAX_POS * c, 1), g = randn(rnd, rows * c, 1);
        float[] out = new float[rows * c];
        double[] wted = toDouble(wte), wped = toDouble(wpe);
        Embedding.forward(out, tokens, wte, pos, wpe, rows, c);
        assertClose("out", reference(wted, wped, tokens, pos, c), out, 1e-7);
        Embedding.forward(out, tokens, wte, pos, null, rows, c);
        assertClose("out without wpe", reference(wted, null, tokens, pos, c), out, 0);

        float[] dwte = randn(rnd, VOCAB * c, 1), dwpe = randn(rnd, MAX_POS * c, 1), dwte0 = dwte.clone(), dwpe0 = dwpe.clone();
        Embedding.backward(dwte, dwpe, g, tokens, pos, rows, c);
        assertClose("dwte", numeric(v -> dot(g, reference(v, wped, tokens, pos, c)), wted), delta(dwte, dwte0), 1e-6);
        assertClose("dwpe", numeric(v -> dot(g, reference(wted, v, tokens, pos, c)), wped), delta(dwpe, dwpe0), 1e-6);
        float[] frozen = dwte.clone();
        Embedding.backward(null, dwpe, g, tokens, pos, rows, c);
        assertArrayEquals(frozen, dwte);
    }

    @Test
    void scatterAddIsBitIdenticalForOneAndTwoThreads() {
        int rows = 500, c = 100;
        Random rnd = new Random(5);
        int[] tokens = new int[rows], pos = new int[rows];
        for (int r = 0; r < rows; r++) {
            tokens[r] = rnd.nextInt(VOCAB);
            pos[r] = r % MAX_POS;
        }
        float[] g = randn(rnd, rows * c, 1);
        float[] a = new float[VOCAB * c], b = new float[VOCAB * c], pa = new float[MAX_POS * c], pb = new float[MAX_POS * c];
        withThreads(1, () -> Embedding.backward(a, pa, g, tokens, pos, rows, c));
        withThreads(2, () -> Embedding.backward(b, pb, g, tokens, pos, rows, c));
        assertArrayEquals(a, b);
        assertArrayEquals(pa, pb);
    }
}
