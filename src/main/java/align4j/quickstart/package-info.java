/**
 * The built-in experiment ({@code align4j quickstart}): a miniature of the DPO paper's controlled-sentiment
 * run, comparing SFT, DPO, PPO, best-of-N and preferred-FT on one reward–KL chart (docs/quickstart.md). It
 * calls the library as a user would; may import every package except cli.
 */
package align4j.quickstart;
