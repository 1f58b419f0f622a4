/**
 * The library: one class per job ({@link align4j.api.Policy}, {@link align4j.api.Sft}, {@link align4j.api.Dpo}, …),
 * each taking config records with {@code defaults()} and {@code withX} copies and returning a result
 * ({@link align4j.api.TrainResult}); the commands and the quickstart call it (docs/DESIGN.md#library-layer).
 * May import every package below it; not quickstart or cli.
 */
package align4j.api;
