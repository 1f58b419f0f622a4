/**
 * Datasets: JSONL/JSON/Parquet readers, TRL's record shapes (preference, pointwise, listwise, prompt, sequence),
 * pairing, truncation, and the tokenized pairs and sequences trainers consume. Errors name file, line and field
 * ({@link align4j.data.DatasetException}). May import {@code text} and the root package.
 */
package align4j.data;
