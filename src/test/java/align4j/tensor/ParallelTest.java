package align4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void everyIndexRunsExactlyOnceInTheFixedChunks() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {1, 2, 7, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n), chunkOf = new AtomicIntegerArray(n);
                for (int rep = 0; rep < 50; rep++) {
                    Parallel.forChunks(n, 1, (c, s, e) -> {
                        for (int i = s; i < e; i++) {
                            hits.incrementAndGet(i);
                            chunkOf.set(i, c);
                        }
                    });
                }
                int t = Math.min(threads, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(50, hits.get(i), "index " + i);
                    int c = chunkOf.get(i);
                    assertEquals(true, Parallel.chunkStart(n, t, c) <= i && i < Parallel.chunkStart(n, t, c + 1),
                            "index " + i + " in chunk " + c + " of " + t);
                }
            }
        }
    }

    @Test
    void nestedLoopsRunWithTheSameSplit() {
        Parallel.setThreads(2);
        int[][] seen = new int[2][4];
        Parallel.forChunks(2, 1, (outer, s, e) -> Parallel.forChunks(4, 1, (c, cs, ce) -> {
            for (int i = cs; i < ce; i++) seen[outer][i] = 10 * c + 1;
        }));
        assertArrayEquals(new int[] {1, 1, 11, 11}, seen[0]);
        assertArrayEquals(new int[] {1, 1, 11, 11}, seen[1]);
    }

    @Test
    void aFailingChunkThrowsToTheCallerAndThePoolStaysUsable() {
        Parallel.setThreads(2);
        IllegalStateException worker = assertThrows(IllegalStateException.class, () ->
                Parallel.forChunks(2, 1, (c, s, e) -> {
                    if (c == 1) throw new IllegalStateException("chunk 1");
                }));
        assertEquals("chunk 1", worker.getMessage());
        assertThrows(ArithmeticException.class, () ->
                Parallel.forChunks(2, 1, (c, s, e) -> {
                    if (c == 0) throw new ArithmeticException("chunk 0");
                }));
        int[] sum = new int[2];
        Parallel.forChunks(2, 1, (c, s, e) -> sum[c] = c + 1);
        assertArrayEquals(new int[] {1, 2}, sum);
    }
}
