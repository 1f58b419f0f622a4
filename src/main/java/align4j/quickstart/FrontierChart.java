package align4j.quickstart;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reward–KL frontier as a hand-written SVG (no chart library): x = KL(π‖π_SFT) in nats, y = mean gold
 * reward, one colour and marker per method, each method's sweep joined in sweep order and every point
 * labelled with its parameter, as in the DPO paper's Fig. 2 (left).
 */
final class FrontierChart {
    static final int W = 800, H = 520, LEFT = 70, RIGHT = 210, TOP = 40, BOTTOM = 60;
    private static final Map<String, String> COLORS = Map.of("sft", "#000000", "dpo", "#d62728", "ppo", "#1f77b4",
            "ppo-gt", "#17becf", "best-of-n", "#2ca02c", "best-of-n-gold", "#bcbd22", "preferred-ft", "#9467bd");
    private static final Map<String, String> NAMES = Map.of("sft", "SFT (π_ref)", "dpo", "DPO (β)", "ppo",
            "PPO, learned RM (kl_coef)", "ppo-gt", "PPO-GT (kl_coef)", "best-of-n", "Best-of-N, learned RM (N)",
            "best-of-n-gold", "Best-of-N, gold (N)", "preferred-ft", "Preferred-FT");

    private FrontierChart() {}

    /** results: each run's final policy (joined along a sweep); checkpoints: the same runs part-way (faded). */
    static String svg(List<Quickstart.MethodResult> results, List<Quickstart.MethodResult> checkpoints) {
        double maxKl = 0, minR = 1, maxR = 0;
        for (Quickstart.MethodResult m : results) maxKl = Math.max(maxKl, m.eval().kl());
        // The axis fits the final policies; a checkpoint further right (a transient KL spike) is left off the chart.
        double xMax = niceCeil(Math.max(maxKl * 1.08, 0.5));
        List<Quickstart.MethodResult> shown = new ArrayList<>();
        for (Quickstart.MethodResult m : checkpoints) if (m.eval().kl() <= xMax) shown.add(m);
        List<Quickstart.MethodResult> all = new ArrayList<>(results);
        all.addAll(shown);
        for (Quickstart.MethodResult m : all) {
            minR = Math.min(minR, m.eval().goldReward());
            maxR = Math.max(maxR, m.eval().goldReward());
        }
        double yLo = Math.max(0, Math.floor((minR - 0.05) * 10) / 10), yHi = Math.min(1, Math.ceil((maxR + 0.05) * 10) / 10);
        if (yHi - yLo < 0.2) yHi = Math.min(1, yLo + 0.2);
        double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        double y0 = yLo, y1 = yHi;
        java.util.function.DoubleUnaryOperator px = k -> LEFT + k / xMax * pw;
        java.util.function.DoubleUnaryOperator py = r -> TOP + (1 - (r - y0) / (y1 - y0)) * ph;
        StringBuilder sb = new StringBuilder();
        sb.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        sb.append(f("<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">Gold reward vs KL(π‖π_SFT): the reward–KL frontier</text>%n",
                LEFT + (int) pw / 2));
        // grid and ticks
        double xStep = tickStep(xMax);
        for (double x = 0; x <= xMax + 1e-9; x += xStep) {
            double X = px.applyAsDouble(x);
            sb.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e5e5e5\"/>%n", X, TOP, X, TOP + (int) ph));
            sb.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", X, TOP + (int) ph + 16, tick(x)));
        }
        for (double y = y0; y <= y1 + 1e-9; y += 0.1) {
            double Y = py.applyAsDouble(y);
            sb.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, Y, LEFT + (int) pw, Y));
            sb.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n", LEFT - 6, Y + 4, y));
        }
        sb.append(f("<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP, pw, ph));
        sb.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">sequence-level KL(π ‖ π_SFT), nats</text>%n",
                LEFT + pw / 2, H - 18));
        sb.append(f("<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">mean gold reward</text>%n",
                TOP + ph / 2, TOP + ph / 2));
        if (shown.size() < checkpoints.size()) {
            sb.append(f("<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" fill=\"#666\">%d checkpoint(s) with KL &gt; %s not shown</text>%n",
                    LEFT + pw - 4, TOP + (int) ph - 6, checkpoints.size() - shown.size(), tick(xMax)));
        }
        for (Quickstart.MethodResult m : shown) {
            String color = COLORS.getOrDefault(m.method(), "#7f7f7f");
            sb.append(f("<g opacity=\"0.35\" transform=\"translate(%.1f %.1f) scale(0.75)\">%s</g>%n", px.applyAsDouble(m.eval().kl()),
                    py.applyAsDouble(m.eval().goldReward()), marker(m.method(), 0, 0, color).trim()));
        }
        Map<String, List<Quickstart.MethodResult>> byMethod = new LinkedHashMap<>();
        for (Quickstart.MethodResult m : results) byMethod.computeIfAbsent(m.method(), k -> new ArrayList<>()).add(m);
        int legend = 0;
        for (Map.Entry<String, List<Quickstart.MethodResult>> e : byMethod.entrySet()) {
            String color = COLORS.getOrDefault(e.getKey(), "#7f7f7f");
            List<Quickstart.MethodResult> pts = e.getValue();
            if (pts.size() > 1) {
                StringBuilder path = new StringBuilder();
                for (Quickstart.MethodResult m : pts) {
                    path.append(path.length() == 0 ? "M" : " L").append(f("%.1f %.1f", px.applyAsDouble(m.eval().kl()),
                            py.applyAsDouble(m.eval().goldReward())));
                }
                sb.append(f("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" stroke-opacity=\"0.7\"/>%n", path, color));
            }
            for (Quickstart.MethodResult m : pts) {
                double X = px.applyAsDouble(m.eval().kl()), Y = py.applyAsDouble(m.eval().goldReward());
                sb.append(marker(e.getKey(), X, Y, color));
                if (!e.getKey().equals("sft") && !e.getKey().equals("preferred-ft")) {
                    sb.append(f("<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>%n", X + 6, Y - 6, color,
                            Quickstart.fmt(m.param())));
                }
            }
            double ly = TOP + 14 + 20 * legend++;
            double lx = LEFT + pw + 16;
            sb.append(marker(e.getKey(), lx, ly - 4, color));
            sb.append(f("<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", lx + 12, ly, NAMES.getOrDefault(e.getKey(), e.getKey())));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static String marker(String method, double x, double y, String color) {
        return switch (method) {
            case "sft" -> f("<rect x=\"%.1f\" y=\"%.1f\" width=\"9\" height=\"9\" fill=\"%s\"/>%n", x - 4.5, y - 4.5, color);
            case "ppo", "ppo-gt" -> f("<path d=\"M%.1f %.1f L%.1f %.1f L%.1f %.1f Z\" fill=\"%s\"/>%n", x, y - 5.5, x + 5, y + 4, x - 5, y + 4, color);
            case "best-of-n", "best-of-n-gold" -> f("<path d=\"M%.1f %.1f L%.1f %.1f L%.1f %.1f L%.1f %.1f Z\" fill=\"%s\"/>%n", x, y - 5.5, x + 5.5, y,
                    x, y + 5.5, x - 5.5, y, color);
            case "preferred-ft" -> f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"white\" stroke=\"%s\" stroke-width=\"2\"/>%n", x, y, color);
            default -> f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>%n", x, y, color);
        };
    }

    static double niceCeil(double x) {
        double p = Math.pow(10, Math.floor(Math.log10(x)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * p >= x) return m * p;
        return 10 * p;
    }

    private static double tickStep(double max) {
        double raw = max / 6, p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * p >= raw) return m * p;
        return 10 * p;
    }

    private static String tick(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : f("%.2f", x).replaceAll("0+$", "");
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }
}
