/**
 * Self-contained HTML output (escaping, the per-token reward heat map). Imports no other align4j package.
 */
package align4j.report;
