package align4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The accuracy reward's answer extraction and equality, on hand-made cases of what is and is not equal. */
class MathAnswerTest {

    @Test
    void theAnswerIsTheLastBoxedElseTheAnswerTagElseHashesElseAnswerIs() {
        assertEquals("\\frac{1}{2}", MathAnswer.extract("first \\boxed{3}, then \\boxed{\\frac{1}{2}}."));
        assertEquals("{a}", MathAnswer.extract("so \\boxed {{a}} and an unclosed \\boxed{x"), "an unbalanced \\boxed is skipped");
        assertEquals("42", MathAnswer.extract("<think>6*7</think><answer> 42 </answer>"));
        assertEquals("72", MathAnswer.extract("48/2 = 24\n48 + 24 = 72\n#### 72"));
        assertEquals("$18.", MathAnswer.extract("Reasoning.\nThe final answer is $18.\nDone."));
        assertEquals("5", MathAnswer.extract("Answer: 5"));
        assertEquals("x", MathAnswer.extract("The answer is: x"));
        assertNull(MathAnswer.extract("I think it is 12"), "a bare number is no marked answer");
        assertEquals("72", MathAnswer.gold("Natalia sold 48/2 = 24 clips.\n#### 72"));
        assertEquals("3/4", MathAnswer.gold(" 3/4 "), "an unmarked column is the answer itself");
    }

    @Test
    void numbersFractionsPercentagesAndSeparatorsCompareByExactValue() {
        String[][] equal = {
                {"0.5", "1/2"}, {"\\frac{1}{2}", "0.5"}, {"\\dfrac{1}{2}", "\\tfrac12"}, {"2/4", "1/2"}, {"50%", "0.5"},
                {"50\\%", "50"}, {"72.00", "72"}, {"1,234,567", "1234567"}, {"1{,}000", "1000"}, {"$18.", "18"},
                {"\\$18", "18"}, {"-\\frac{3}{4}", "-0.75"}, {"\\frac{-3}{4}", "-.75"}, {"+3", "3"}, {"90^\\circ", "90"},
                {"\\left( 1, 2 \\right)", "(1,2)"}, {"\\text{(B)}", "(B)"}, {"x^2 + 1", "x^2+1"}, {"\\(x\\!+\\,1\\)", "x+1"},
        };
        for (String[] p : equal) assertTrue(MathAnswer.equivalent(p[0], p[1]), p[0] + " = " + p[1]);
        String[][] unequal = {
                {"1/3", "0.333"}, {"12", "21"}, {"x+1", "x-1"}, {"50%", "5"}, {"2x", "x2"}, {"1/0", "1/0.0"}, {"", ""},
                {"(100,200)", "100200"}, {"-3", "3"}, {"\\frac{1}{2}", "\\frac{2}{1}"},
        };
        for (String[] p : unequal) assertFalse(MathAnswer.equivalent(p[0], p[1]), p[0] + " ≠ " + p[1]);
    }
}
