package align4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import align4j.InputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DpoStepBench} on a tiny shape: every figure measured, the JSON line's keys in their order. */
class DpoStepBenchTest {
    @Test
    void aTinyShapeMeasuresEveryFigure() {
        DpoStepBench.Shape tiny = new DpoStepBench.Shape("tiny", 1, 32, 2, 64, 12, 4, 2);
        DpoStepBench.Result r = DpoStepBench.run(tiny, new DpoStepBench.Settings(1, 0));
        Map<String, Object> json = r.toJson();
        assertEquals(List.of("shape", "tokens_per_second", "seconds_per_step", "tokens_per_second_cached_ref",
                "seconds_per_step_cached_ref", "matmul_gflops", "peak_rss_mb", "peak_heap_mb", "threads", "blas",
                "matmul_precision", "config"), List.copyOf(json.keySet()));
        assertEquals(48L, tiny.tokens());
        assertEquals(2 * 4 + 2 * 2 * 8, r.packedTokens(), "the prompt once per pair, both completions");
        assertEquals(List.of("forward", "backward_input", "backward_weight"), List.copyOf(r.matmulGflops().keySet()));
        for (double g : r.matmulGflops().values()) assertTrue(g > 0 && Double.isFinite(g), r.matmulGflops().toString());
        assertTrue(r.secondsPerStep() > 0 && r.secondsPerStepCachedRef() > 0);
        assertTrue(r.text().startsWith("tiny "), r.text());
    }

    @Test
    void shapesByName() {
        assertEquals(DpoStepBench.SHAPES, DpoStepBench.shapes("all"));
        assertEquals("gpt2-small", DpoStepBench.shapes("gpt2-small").getFirst().name());
        assertThrows(InputException.class, () -> DpoStepBench.shapes("big"));
        assertThrows(InputException.class, () -> new DpoStepBench.Settings(0, 2));
    }
}
