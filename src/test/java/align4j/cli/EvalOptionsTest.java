package align4j.cli;

import align4j.InputException;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EvalOptionsTest {
    static EvalOptions split(double fraction) {
        EvalOptions o = new EvalOptions();
        o.evalSplit = fraction;
        return o;
    }

    /** --eval-split holds out ⌈f·n⌉ examples, disjoint from the training ones and together all of them, the same for a seed. */
    @Test
    void splitHoldsOutTheCeilingOfTheFractionSeeded() {
        EvalOptions o = split(0.1);
        assertTrue(o.holdsOut());
        int[][] a = o.split(45, 7), b = o.split(45, 7), c = o.split(45, 8);
        assertEquals(5, a[1].length);
        assertEquals(40, a[0].length);
        int[] all = IntStream.concat(Arrays.stream(a[0]), Arrays.stream(a[1])).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 45).toArray(), all);
        assertArrayEquals(a[1], b[1]);
        assertFalse(Arrays.equals(a[1], c[1]), "another seed, another split");
    }

    @Test
    void evalDatasetOrNoFractionHoldsNothingOutAndBadFractionsAreErrors() {
        assertFalse(split(0).holdsOut());
        EvalOptions withFile = split(0.2);
        withFile.evalDataset = Path.of("eval.jsonl");
        assertFalse(withFile.holdsOut());
        assertTrue(assertThrows(InputException.class, () -> split(1).holdsOut()).getMessage().contains("--eval-split"));
        assertTrue(assertThrows(InputException.class, () -> split(0.9).split(1, 0)).getMessage().contains("no training examples"));
    }
}
