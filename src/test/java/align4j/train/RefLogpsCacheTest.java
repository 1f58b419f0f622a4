package align4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import align4j.cli.DpoFixtures;
import align4j.data.Pairs;
import align4j.io.HfModel;
import align4j.io.LoadedModel;
import align4j.model.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference cache keeps LD-DPO's weighting apart: a file per ld_alpha, each equal to a fresh computation. */
class RefLogpsCacheTest {
    @Test
    void ldAlphaHasItsOwnCacheEntry(@TempDir Path dir) throws Exception {
        LoadedModel lm = HfModel.load(DpoFixtures.tinyModel(dir.resolve("model")));
        Transformer ref = new Transformer(lm.config(), lm.tensors());
        Pairs pairs = DpoFixtures.readPairs(DpoFixtures.pairs(dir.resolve("p.jsonl"), 12, 5));
        Path cache = dir.resolve("cache");
        PairLogps.Result plain = RefLogpsCache.get(cache, ref, pairs, 4, null);
        PairLogps.Result ld = RefLogpsCache.get(cache, ref, pairs, 4, 0.5, null);
        assertEquals(2, count(cache));
        PairLogps.Result fresh = PairLogps.compute(ref, pairs.prompts(), pairs.chosen(), pairs.rejected(), 4, 16384, 0.5, null);
        assertArrayEquals(fresh.chosen(), ld.chosen());
        assertArrayEquals(fresh.rejected(), ld.rejected());
        assertFalse(java.util.Arrays.equals(plain.rejected(), ld.rejected()));
        // read back from disk, not recomputed: same numbers, no new file
        assertArrayEquals(ld.rejected(), RefLogpsCache.get(cache, ref, pairs, 4, 0.5, null).rejected());
        assertArrayEquals(plain.chosen(), RefLogpsCache.get(cache, ref, pairs, 4, 1.0, null).chosen());
        assertEquals(2, count(cache));
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
