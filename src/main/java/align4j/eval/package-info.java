/**
 * Scoring: reward models, programmatic reward functions, pairwise LLM judges, BLEU/ROUGE, best-of-N and its
 * analytic KL, per-token implicit rewards and their report. May import {@code model}, {@code io}, {@code data},
 * {@code loss}, {@code text}, {@code tensor}, {@code report} and the root package; not {@code train} or anything
 * above it.
 */
package align4j.eval;
