package align4j.loss;

import static align4j.loss.Reference.assertRelClose;
import static align4j.loss.Reference.doubles;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class BradleyTerryLossTest {
    @Test
    void lossGradientsAndMetricsMatchPyTorch() {
        JsonNode ref = Reference.root().get("bradley_terry");
        BradleyTerryLoss.Result r = new BradleyTerryLoss(ref.get("center_rewards_coefficient").asDouble())
                .compute(doubles(ref.get("chosen")), doubles(ref.get("rejected")), doubles(ref.get("margin")));
        assertRelClose(ref.get("loss").asDouble(), r.loss(), 1e-6, "loss");
        assertRelClose(doubles(ref.get("d_chosen")), r.dChosen(), 1e-6, "d chosen");
        assertRelClose(doubles(ref.get("d_rejected")), r.dRejected(), 1e-6, "d rejected");
        assertRelClose(ref.get("accuracy").asDouble(), r.accuracy(), 1e-6, "accuracy");
        assertRelClose(ref.get("margin_metric").asDouble(), r.margin(), 1e-6, "margin");
        assertRelClose(ref.get("min_reward").asDouble(), r.minReward(), 1e-6, "min");
        assertRelClose(ref.get("mean_reward").asDouble(), r.meanReward(), 1e-6, "mean");
        assertRelClose(ref.get("max_reward").asDouble(), r.maxReward(), 1e-6, "max");
    }

    @Test
    void equalRewardsWithoutMarginCostLog2() {
        BradleyTerryLoss.Result r = new BradleyTerryLoss(0).compute(new double[] {0.3}, new double[] {0.3}, null);
        assertEquals(Math.log(2), r.loss(), 1e-15);
        assertEquals(-0.5, r.dChosen()[0], 1e-15);
        assertEquals(0.5, r.dRejected()[0], 1e-15);
        assertEquals(0.0, r.accuracy(), 0.0);
        assertEquals(java.util.List.of("eval_loss", "eval_accuracy", "eval_margin", "eval_min_reward",
                "eval_mean_reward", "eval_max_reward"), java.util.List.copyOf(r.toMap("eval_").keySet()));
    }

    @Test
    void centeringPenalisesTheSumOfTheRewards() {
        // rewards 2 and −2 sum to 0: centering adds nothing; 3 and −1 sum to 2: adds c·4
        double c = 0.01;
        double plain = new BradleyTerryLoss(0).compute(new double[] {3}, new double[] {-1}, null).loss();
        assertEquals(plain + c * 4, new BradleyTerryLoss(c).compute(new double[] {3}, new double[] {-1}, null).loss(), 1e-15);
        assertEquals(new BradleyTerryLoss(0).compute(new double[] {2}, new double[] {-2}, null).loss(),
                new BradleyTerryLoss(c).compute(new double[] {2}, new double[] {-2}, null).loss(), 0.0);
    }

    @Test
    void gradientsMatchCentralDifferences() {
        double[] w = {0.7, -1.2, 2.0}, l = {0.1, 0.4, -0.3}, m = {0.5, 0, 1};
        BradleyTerryLoss bt = new BradleyTerryLoss(0.05);
        BradleyTerryLoss.Result r = bt.compute(w, l, m);
        double h = 1e-6;
        for (int i = 0; i < 3; i++) {
            for (double[] x : new double[][] {w, l}) {
                double keep = x[i];
                x[i] = keep + h;
                double up = bt.compute(w, l, m).loss();
                x[i] = keep - h;
                double down = bt.compute(w, l, m).loss();
                x[i] = keep;
                assertEquals((up - down) / (2 * h), x == w ? r.dChosen()[i] : r.dRejected()[i], 1e-8);
            }
        }
    }
}
