/**
 * The command line: one picocli command per job, a thin adapter (flags → config → library call → print), with
 * the vocabulary of docs/DESIGN.md#cli-vocabulary. May import every package; no other package imports this
 * one.
 */
package align4j.cli;
