package align4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RewardHeatmapTest {
    @Test
    void tokenTextAndTitlesAreEscaped() {
        var row = new RewardHeatmap.Row("chosen <a>", List.of(new RewardHeatmap.Token("<script>alert('x')</script>", 0.5),
                new RewardHeatmap.Token("\" onmouseover=\"evil() & more", -0.25)), 0.25);
        String html = RewardHeatmap.render("t<", "s&", List.of(new RewardHeatmap.Example("ex \"1\"", "p<>", List.of(row))), 0.5);
        assertFalse(html.contains("<script>"));
        assertFalse(html.contains("\" onmouseover"));
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assertTrue(html.contains("&quot; onmouseover=&quot;evil() &amp; more"));
        assertTrue(html.contains("chosen &lt;a&gt;") && html.contains("p&lt;&gt;") && html.contains("ex &quot;1&quot;"));
        assertTrue(html.contains("title=\"+0.5000\"") && html.contains("title=\"-0.2500\""));
    }

    @Test
    void divergingScaleIsWhiteAtZeroAndSaturatesAtTheScale() {
        assertEquals("rgb(255,255,255)", RewardHeatmap.colour(0, 2));
        assertEquals("rgb(0,0,255)", RewardHeatmap.colour(2, 2));
        assertEquals("rgb(0,0,255)", RewardHeatmap.colour(9, 2));
        assertEquals("rgb(255,0,0)", RewardHeatmap.colour(-2, 2));
        assertEquals("rgb(255,128,128)", RewardHeatmap.colour(-1, 2)); // 255·(1 − 0.5) = 127.5 → 128
    }
}
