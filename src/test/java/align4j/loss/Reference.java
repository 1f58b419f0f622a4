package align4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/** The numbers scripts/loss_reference.py wrote with PyTorch 1.13 (src/test/resources/loss/dpo_reference.json). */
public final class Reference {
    private static JsonNode root;

    private Reference() {}

    public static synchronized JsonNode root() {
        if (root == null) {
            try (InputStream in = Reference.class.getResourceAsStream("/loss/dpo_reference.json")) {
                if (in == null) fail("missing test resource /loss/dpo_reference.json");
                root = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return root;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
        return out;
    }

    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    /** |actual − expected| ≤ rel·|expected| (+ a 1e-12 floor for values that are exactly zero). */
    public static void assertRelClose(double expected, double actual, double rel, String what) {
        assertEquals(expected, actual, rel * Math.abs(expected) + 1e-12, what);
    }

    public static void assertRelClose(double[] expected, double[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) assertRelClose(expected[i], actual[i], rel, what + "[" + i + "]");
    }
}
