package align4j.report;

import java.util.List;

/**
 * The page of {@code align4j winrate}: a summary table (label, value) and a few example pairs, each with its prompt,
 * the policy's and the baseline's completions and the verdict. Self-contained HTML, every text escaped.
 */
public final class WinRatePage {
    private WinRatePage() {}

    /** One row of the summary table. */
    public record Row(String label, String value) {}

    /** One example pair. */
    public record Example(String title, String prompt, String policy, String baseline, String verdict) {}

    public static String render(String title, String intro, List<Row> rows, List<Example> examples) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.escape(title))
                .append("</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:2em;max-width:70em}\n")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n")
                .append(".text{white-space:pre-wrap;font-family:ui-monospace,monospace}\n.prompt{color:#555}\n")
                .append(".ex{border-top:1px solid #ccc;padding:.5em 0}\n</style></head>\n<body>\n<h1>").append(Html.escape(title))
                .append("</h1>\n<p>").append(Html.escape(intro)).append("</p>\n<table>\n");
        for (Row r : rows) {
            b.append("<tr><th>").append(Html.escape(r.label())).append("</th><td>").append(Html.escape(r.value())).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Examples</h2>\n");
        for (Example e : examples) {
            b.append("<div class=\"ex\"><h3>").append(Html.escape(e.title())).append(" — ").append(Html.escape(e.verdict()))
                    .append("</h3>\n<div class=\"text prompt\">").append(Html.escape(e.prompt())).append("</div>\n<table><tr><th>policy</th>")
                    .append("<th>baseline</th></tr>\n<tr><td class=\"text\">").append(Html.escape(e.policy())).append("</td><td class=\"text\">")
                    .append(Html.escape(e.baseline())).append("</td></tr></table></div>\n");
        }
        return b.append("</body></html>\n").toString();
    }
}
