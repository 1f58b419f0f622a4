package align4j.report;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page (no scripts, no external files) showing per-token rewards as a heat map: each
 * token's text on a background from red (negative) through white (0) to blue (positive), the value on hover.
 * The colour scale is shared by the whole page (±{@code scale}), so examples can be compared by eye.
 */
public final class RewardHeatmap {
    private RewardHeatmap() {}

    /** One token: its decoded text and its reward. */
    public record Token(String text, double reward) {}

    /** One completion: a label ("chosen"), its tokens and its sequence-level total. */
    public record Row(String label, List<Token> tokens, double total) {}

    /** One example: a title, the prompt text and its rows. */
    public record Example(String title, String prompt, List<Row> rows) {}

    /** The largest |reward| over every token (1 when all are 0), the default colour scale. */
    public static double maxAbs(List<Example> examples) {
        double m = 0;
        for (Example e : examples) for (Row r : e.rows()) for (Token t : r.tokens()) m = Math.max(m, Math.abs(t.reward()));
        return m > 0 ? m : 1;
    }

    public static String render(String title, String summary, List<Example> examples, double scale) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.escape(title))
                .append("</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:2em;max-width:70em}\n")
                .append(".tok{white-space:pre-wrap;font-family:ui-monospace,monospace;border-radius:2px;padding:1px 0}\n")
                .append(".prompt{white-space:pre-wrap;font-family:ui-monospace,monospace;color:#555}\n")
                .append(".ex{border-top:1px solid #ccc;padding:.5em 0}\n.row{margin:.4em 0}\n.label{font-weight:600}\n")
                .append(".legend span{display:inline-block;width:3em;text-align:center;font-size:.8em}\n</style></head>\n<body>\n<h1>")
                .append(Html.escape(title)).append("</h1>\n<p>").append(Html.escape(summary)).append("</p>\n<p class=\"legend\">");
        for (int i = -4; i <= 4; i++) {
            double v = scale * i / 4;
            b.append("<span style=\"background:").append(colour(v, scale)).append("\">").append(fmt(v)).append("</span>");
        }
        b.append("</p>\n");
        for (Example e : examples) {
            b.append("<div class=\"ex\"><h3>").append(Html.escape(e.title())).append("</h3>\n<div class=\"prompt\">")
                    .append(Html.escape(e.prompt())).append("</div>\n");
            for (Row r : e.rows()) {
                b.append("<div class=\"row\"><span class=\"label\">").append(Html.escape(r.label())).append(" (total ")
                        .append(fmt(r.total())).append("):</span> ");
                for (Token t : r.tokens()) {
                    b.append("<span class=\"tok\" style=\"background:").append(colour(t.reward(), scale))
                            .append("\" title=\"").append(fmt(t.reward())).append("\">").append(Html.escape(t.text()))
                            .append("</span>");
                }
                b.append("</div>\n");
            }
            b.append("</div>\n");
        }
        return b.append("</body></html>\n").toString();
    }

    /** Diverging scale: white at 0, pure red at −scale, pure blue at +scale, linear in between (clamped). */
    static String colour(double v, double scale) {
        double a = Math.min(1, Math.abs(v) / scale);
        int fade = (int) Math.round(255 * (1 - a));
        return v < 0 ? String.format(Locale.ROOT, "rgb(255,%d,%d)", fade, fade)
                : String.format(Locale.ROOT, "rgb(%d,%d,255)", fade, fade);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%+.4f", v);
    }
}
