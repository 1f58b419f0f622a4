package align4j.quickstart;

import align4j.io.AtomicWrite;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The quickstart's outputs: summary.json (docs/DESIGN.md#cli-contracts), report.html with the chart, the terminal table. */
public final class QuickstartReport {
    static final String KL_ESTIMATOR = "exact per-token KL(pi(.|x,y<t) || pi_sft(.|x,y<t)) over the vocabulary, summed "
            + "along each sequence sampled from pi at T=1, mean over samples; best-of-n: analytic log N - (N-1)/N";
    private static final ObjectMapper JSON = new ObjectMapper();

    private QuickstartReport() {}

    public static void write(Quickstart.Outcome o, Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] summary = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(summary(o));
        AtomicWrite.write(dir.resolve("summary.json"), summary);
        AtomicWrite.write(dir.resolve("report.html"), html(o).getBytes(StandardCharsets.UTF_8));
    }

    /** {"seconds", "methods": [{"method", "param", "gold_reward", "kl", …}], "settings", "seed", …}. */
    static ObjectNode summary(Quickstart.Outcome o) {
        ObjectNode root = JSON.createObjectNode();
        root.put("seconds", Math.round(o.seconds() * 10) / 10.0);
        root.put("seed", o.settings().seed());
        root.put("cpu_seconds", Math.round(o.cpuSeconds() * 10) / 10.0);
        root.put("threads", o.threads());
        root.put("kl_estimator", KL_ESTIMATOR);
        root.put("sft_final_loss", o.sftLoss());
        root.put("label_agreement", o.labelAgreement());
        root.put("reward_model_train_accuracy", o.rewardAccuracy());
        root.put("reward_model_gold_agreement", o.rewardGoldAgreement());
        point(root.putArray("methods"), o.methods());
        point(root.putArray("checkpoints"), o.checkpoints());
        root.set("settings", JSON.valueToTree(o.settings()));
        return root;
    }

    private static void point(ArrayNode methods, java.util.List<Quickstart.MethodResult> points) {
        for (Quickstart.MethodResult m : points) {
            ObjectNode n = methods.addObject();
            n.put("method", m.method());
            if (m.method().equals("sft") || m.method().equals("preferred-ft")) n.putNull("param");
            else n.put("param", m.param());
            if (!m.method().equals("sft") && !m.method().equals("best-of-n")) n.put("step", m.step());
            n.put("gold_reward", m.eval().goldReward());
            n.put("gold_reward_se", m.eval().goldRewardSe());
            n.put("kl", m.eval().kl());
            if (Double.isNaN(m.eval().klMc())) n.putNull("kl_mc");
            else n.put("kl_mc", m.eval().klMc());
            if (!Double.isNaN(m.eval().meanTokens())) n.put("mean_completion_tokens", m.eval().meanTokens());
            n.put("example", m.sample());
        }
    }

    /** The table printed at the end of a run. */
    public static String table(Quickstart.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%-14s %8s %12s %8s %8s%n", "method", "param", "gold reward", "± s.e.", "KL"));
        for (Quickstart.MethodResult m : o.methods()) {
            String p = m.method().equals("sft") || m.method().equals("preferred-ft") ? "-" : Quickstart.fmt(m.param());
            sb.append(String.format(Locale.ROOT, "%-14s %8s %12.3f %8.3f %8.2f%n", m.method(), p, m.eval().goldReward(),
                    m.eval().goldRewardSe(), m.eval().kl()));
        }
        sb.append(String.format(Locale.ROOT, "%d policies (+%d checkpoints) in %.1f s (%.1f s of CPU) on %d threads "
                + "(KL: exact per-token, summed; best-of-n: analytic)%n", o.methods().size(), o.checkpoints().size(), o.seconds(),
                o.cpuSeconds(), o.threads()));
        return sb.toString();
    }

    static String html(Quickstart.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>align4j quickstart</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:right}"
                        + "td.l,th.l{text-align:left}code{font-size:90%}</style></head><body>\n")
                .append("<h1>align4j quickstart: the reward–KL frontier</h1>\n")
                .append("<p>A miniature of the DPO paper's controlled-sentiment experiment (Rafailov et al. 2023, §6.1, Fig. 2 left). "
                        + "A GPT-2 (" + o.settings().layers() + " layers, " + o.settings().hidden() + " wide) pretrained on generated film "
                        + "reviews is the SFT model and the reference π_SFT. Preference pairs: " + o.settings().samplesPerPrefix() + " SFT samples per prompt at T = 1, every pair "
                        + "labelled by a Bradley–Terry draw from the gold sentiment reward (τ = " + o.settings().labelTemperature()
                        + "; the label agrees with the higher reward on " + String.format(Locale.ROOT, "%.1f", 100 * o.labelAgreement())
                        + "% of pairs). Each method's policy is scored on " + o.settings().evalSamples() + " completions sampled "
                        + "at T = 1: mean gold reward (up) against KL(π‖π_SFT) (right). Up and to the left is better.</p>\n");
        sb.append(FrontierChart.svg(o.methods(), o.checkpoints()));
        sb.append("<p><b>KL</b>: ").append(esc(KL_ESTIMATOR)).append(". <b>PPO</b> and <b>Best-of-N</b> use a reward model "
                + "learned from the same preference pairs DPO trains on (it orders ").append(String.format(Locale.ROOT, "%.1f",
                100 * o.rewardGoldAgreement())).append("% of fresh SFT sample pairs as the gold reward does); <b>PPO-GT</b> and "
                + "<b>Best-of-N, gold</b> use the gold scorer itself (oracles, like the paper's PPO-GT).</p>\n");
        sb.append("<table><tr><th class=\"l\">method</th><th>param</th><th>gold reward</th><th>± s.e.</th><th>KL</th>"
                + "<th>KL (MC)</th><th class=\"l\">first sample</th></tr>\n");
        for (Quickstart.MethodResult m : o.methods()) {
            String p = m.method().equals("sft") || m.method().equals("preferred-ft") ? "–" : Quickstart.fmt(m.param());
            sb.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.2f</td>"
                            + "<td>%s</td><td class=\"l\"><code>%s</code></td></tr>%n", m.method(), p, m.eval().goldReward(),
                    m.eval().goldRewardSe(), m.eval().kl(), Double.isNaN(m.eval().klMc()) ? "–" : String.format(Locale.ROOT, "%.2f",
                            m.eval().klMc()), esc(m.sample())));
        }
        sb.append("</table>\n<p>Small faded markers: the same runs evaluated part-way through training (").append(o.checkpoints().size())
                .append(" checkpoints, in <code>summary.json</code>).</p>\n");
        sb.append("<p>").append(String.format(Locale.ROOT, "%.1f s (%.1f s of CPU) on %d threads, seed %d.", o.seconds(),
                o.cpuSeconds(), o.threads(),
                o.settings().seed())).append(" Settings are in <code>summary.json</code>.</p>\n</body></html>\n");
        return sb.toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
