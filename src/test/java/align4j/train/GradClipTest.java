package align4j.train;

import static org.junit.jupiter.api.Assertions.*;

import align4j.loss.Reference;
import align4j.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipTest {
    @Test
    void normAndClippedGradientsMatchTorchClipGradNorm() {
        JsonNode ref = Reference.root().get("adamw");
        JsonNode last = ref.get("grads").get(ref.get("grads").size() - 1);
        for (JsonNode c : ref.get("clip")) {
            List<Tensor> params = new ArrayList<>();
            for (JsonNode spec : ref.get("specs")) {
                String name = spec.get("name").asText();
                Tensor t = new Tensor(name, Reference.ints(spec.get("shape")));
                t.grad = last.has(name) ? Reference.floats(last.get(name)) : null;
                params.add(t);
            }
            double norm = GradClip.clip(params, c.get("max_norm").asDouble());
            assertEquals(c.get("norm").asDouble(), norm, 1e-6 * norm, "norm");
            int k = 0;
            for (Tensor t : params) {
                if (!t.isTrainable()) continue;
                float[] expected = Reference.floats(c.get("grads").get(k++));
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], t.grad[i], 1e-6 * Math.abs(expected[i]) + 1e-9, t.name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void threeFourGradientHasNormFiveAndIsScaledToTheMaximum() {
        Tensor a = new Tensor("a", 1), b = new Tensor("b", 1), frozen = new Tensor("f", 1);
        a.grad = new float[] {3};
        b.grad = new float[] {4};
        double norm = GradClip.clip(List.of(a, b, frozen), 1.0);
        assertEquals(5.0, norm, 0.0);
        double coef = 1.0 / (5.0 + 1e-6);
        assertEquals((float) (3 * coef), a.grad[0], 1e-7f);
        assertEquals((float) (4 * coef), b.grad[0], 1e-7f);
        assertNull(frozen.grad);
    }

    @Test
    void gradientsBelowTheMaximumAreUntouched() {
        Tensor a = new Tensor("a", 37);
        a.grad = new float[37];
        for (int i = 0; i < 37; i++) a.grad[i] = 0.01f * (i - 18);
        float[] before = a.grad.clone();
        GradClip.clip(List.of(a), 10.0);
        assertArrayEquals(before, a.grad, 0f);
    }

    @Test
    void normOfALongVectorEqualsTheDoubleSumOfSquares() {
        Tensor a = new Tensor("a", 1003);
        a.grad = new float[1003];
        double sum = 0;
        for (int i = 0; i < a.grad.length; i++) {
            a.grad[i] = (float) Math.sin(i * 0.37) * 3;
            sum += (double) a.grad[i] * a.grad[i];
        }
        assertEquals(Math.sqrt(sum), GradClip.globalNorm(List.of(a)), 1e-12 * Math.sqrt(sum));
    }
}
