package align4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpaired (KTO) records: reading, TRL's unpairing of pairs, and errors that name file, line and field. */
class UnpairedDataTest {
    /** TRL's unpair_preference_dataset maps in batches of 1,000: within each, every chosen, then every rejected. */
    @Test
    void pairsAreUnpairedChosenFirstWithinEachChunkOfAThousand() {
        int n = 1002;
        int[][] p = new int[n][], c = new int[n][], r = new int[n][];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = new int[] {i};
            c[i] = new int[] {2 * i};
            r[i] = new int[] {2 * i + 1};
            s[i] = "f:" + (i + 1);
        }
        UnpairedData u = UnpairedData.unpair(new Pairs(p, c, r, s));
        assertEquals(2 * n, u.size());
        assertArrayEquals(new int[] {0}, u.completions()[0]);
        assertArrayEquals(new int[] {2 * 999}, u.completions()[999]);
        assertArrayEquals(new int[] {1}, u.completions()[1000]);
        assertEquals(false, u.labels()[1000]);
        assertArrayEquals(new int[] {2 * 1000}, u.completions()[2000]);
        assertArrayEquals(new int[] {2 * 1001 + 1}, u.completions()[2003]);
        assertArrayEquals(new int[] {1001}, u.prompts()[2003]);
        assertEquals(n, u.desirable());
    }

    @Test
    void preTokenizedRecordsKeepTheirIdsAndLabels(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("kto.jsonl");
        Files.writeString(f, "{\"prompt_input_ids\": [1, 2], \"completion_input_ids\": [3], \"label\": false}\n"
                + "{\"prompt_input_ids\": [4], \"completion_input_ids\": [5, 6], \"label\": true}\n");
        UnpairedData u = UnpairedData.load(f, PreferenceData.Settings.defaults(), null, 10);
        assertArrayEquals(new int[][] {{1, 2}, {4}}, u.prompts());
        assertArrayEquals(new int[][] {{3}, {5, 6}}, u.completions());
        assertArrayEquals(new boolean[] {false, true}, u.labels());
    }

    @Test
    void aBadLabelOrIdIsAnErrorNamingFileLineAndField(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("kto.jsonl");
        Files.writeString(f, "{\"prompt_input_ids\": [1], \"completion_input_ids\": [3], \"label\": true}\n"
                + "{\"prompt_input_ids\": [1], \"completion_input_ids\": [3], \"label\": 1}\n");
        var e = assertThrows(DatasetException.class, () -> UnpairedData.load(f, PreferenceData.Settings.defaults(), null, 10));
        assertEquals("kto.jsonl, line 2, field \"label\": expected true (desirable) or false (undesirable), got 1", e.getMessage());
        Files.writeString(f, "{\"prompt_input_ids\": [1], \"completion_input_ids\": [30], \"label\": true}\n");
        e = assertThrows(DatasetException.class, () -> UnpairedData.load(f, PreferenceData.Settings.defaults(), null, 10));
        assertEquals("kto.jsonl, line 1, field \"completion_input_ids\": token id 30 at position 0 is outside the vocabulary (0..9)",
                e.getMessage());
    }
}
