package align4j.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReviewTaskTest {
    @Test
    void reviewsHaveEightToSixteenWordsThenEndOfText() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            int[] c = ReviewTask.sample(rnd).completion();
            int words = c.length - 1;
            assertTrue(words >= ReviewTask.MIN_WORDS && words <= ReviewTask.MAX_WORDS, ReviewTask.decode(c));
            assertEquals(ReviewTask.id("."), c[words - 1]);
            assertEquals(ReviewTask.eosId(), c[words]);
        }
    }

    @Test
    void theCorpusMixesSentimentsSoTheGoldRewardVaries() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 4000, positive = 0, strong = 0;
        for (int i = 0; i < n; i++) {
            double r = GoldReward.reward(ReviewTask.sample(rnd).completion());
            if (r > 0.5) positive++;
            if (r > 0.9 || r < 0.1) strong++;
        }
        assertTrue(positive > 0.35 * n && positive < 0.65 * n, "positive share " + positive / (double) n);
        assertTrue(strong > 0.1 * n, "strong share " + strong / (double) n);
    }

    @Test
    void encodeAndDecodeAreInverse() {
        String s = "the film was not very good but i loved the music . <|endoftext|>";
        assertEquals(s, ReviewTask.decode(ReviewTask.encode(s)));
        assertEquals(0, ReviewTask.id(ReviewTask.EOS));
    }
}
