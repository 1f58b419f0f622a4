package align4j.data;

import align4j.InputException;
import align4j.text.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What silently hurts a preference run, found before training ({@code align4j audit-data}): chosen/rejected length
 * bias, truncation by max_length/max_prompt_length and on which side, text completions without the EOS token,
 * duplicate pairs and identical chosen/rejected, prompts whose text leaks into the completions, and the
 * prompt/completion boundary mismatches {@link PreferenceTokenizer} detects. Each finding has its count, its
 * fraction of the pairs and up to {@link #EXAMPLES} record locations ({@code file:line}).
 *
 * <p>Unlike {@link PreferenceDataset#load}, a record whose chosen equals its rejected is not an error here but a
 * finding; it is left out of the other checks.
 */
public final class DatasetAudit {
    /** Example locations kept per finding. */
    public static final int EXAMPLES = 5;

    private DatasetAudit() {}

    /**
     * One finding.
     *
     * @param count    pairs (or, for {@code identical}, records) with the defect
     * @param fraction count over the pairs audited (identical records included)
     * @param examples up to {@link #EXAMPLES} locations, file order
     * @param detail   sub-counts (e.g. truncation per side), possibly empty
     */
    public record Finding(String name, String description, int count, double fraction, List<String> examples,
                          Map<String, Integer> detail) {}

    /**
     * Chosen/rejected length bias in completion tokens (before truncation).
     *
     * @param chosenLongerFraction  pairs whose chosen has more tokens than its rejected
     * @param equalFraction         pairs of equal lengths
     * @param lengthJudgeAccuracy   how often a judge that prefers the longer completion agrees with the labels
     *                              (ties count one half): 0.5 means no length bias
     */
    public record LengthBias(double meanChosen, double meanRejected, double chosenLongerFraction, double equalFraction,
                             double lengthJudgeAccuracy) {}

    /**
     * @param kind     text, conversational or pretokenized
     * @param pairs    pairs audited (identical records included)
     * @param findings in report order: truncated, missing_eos, duplicate, identical, prompt_leak, boundary_mismatch
     */
    public record Result(String file, int records, int pairs, String kind, LengthBias length, List<Finding> findings) {
        public Finding finding(String name) {
            for (Finding f : findings) if (f.name().equals(name)) return f;
            throw new IllegalArgumentException("no finding " + name);
        }

        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("file", file).put("records", records).put("pairs", pairs).put("kind", kind);
            o.putObject("length_bias").put("mean_chosen_tokens", length.meanChosen()).put("mean_rejected_tokens", length.meanRejected())
                    .put("chosen_longer_fraction", length.chosenLongerFraction()).put("equal_length_fraction", length.equalFraction())
                    .put("length_judge_accuracy", length.lengthJudgeAccuracy());
            ObjectNode fs = o.putObject("findings");
            for (Finding f : findings) {
                ObjectNode n = fs.putObject(f.name());
                n.put("description", f.description()).put("count", f.count()).put("fraction", f.fraction());
                f.detail().forEach(n::put);
                f.examples().forEach(n.putArray("examples")::add);
            }
            return o;
        }

        public String toText() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%s: %d records → %d pairs (%s)%n", file, records, pairs, kind));
            b.append(String.format("length bias: mean tokens chosen %.1f, rejected %.1f; chosen longer in %.1f%% (equal %.1f%%);"
                            + " a length-only judge agrees with %.1f%% of labels%n", length.meanChosen(), length.meanRejected(),
                    100 * length.chosenLongerFraction(), 100 * length.equalFraction(), 100 * length.lengthJudgeAccuracy()));
            for (Finding f : findings) {
                b.append(String.format("%-18s %5d  (%.1f%%)  %s", f.name(), f.count(), 100 * f.fraction(), f.description()));
                if (!f.detail().isEmpty()) b.append(" ").append(f.detail());
                b.append(String.format("%n"));
                for (String e : f.examples()) b.append("    ").append(e).append(String.format("%n"));
            }
            return b.toString();
        }
    }

    /** Audits file read with settings (columns, pairing, truncation) and tokenizer (null: pre-tokenized data only). */
    public static Result run(Path file, PreferenceData.Settings settings, Tokenizer tokenizer) {
        if (!Files.exists(file)) throw new InputException(file + ": no such file");
        List<DatasetRecord> records = DatasetReader.read(file);
        ColumnMapping cols = settings.columns();
        Collector identical = new Collector();
        List<DatasetRecord> kept = new ArrayList<>();
        for (DatasetRecord r : records) {
            JsonNode c = r.json().get(cols.column("chosen")), j = r.json().get(cols.column("rejected"));
            JsonNode ci = r.json().get(cols.column("chosen_input_ids")), ji = r.json().get(cols.column("rejected_input_ids"));
            if (c != null && c.equals(j) || ci != null && ci.equals(ji)) identical.add(r.location().toString());
            else kept.add(r);
        }
        PreferenceRecords.Parsed parsed = new PreferenceRecords(cols, settings.pairing()).parse(kept);
        boolean text = !parsed.pairs().isEmpty();
        if (text && tokenizer == null) {
            throw new InputException(file + ": text preference data needs a tokenizer (--tokenizer or the model's folder)");
        }
        boolean conversational = text && parsed.pairs().get(0).conversational();
        List<PreferenceExample> examples = new ArrayList<>(parsed.pretokenized());
        Collector missingEos = new Collector(), leak = new Collector(), mismatch = new Collector(), duplicate = new Collector();
        int leakChosen = 0, leakRejected = 0, eosChosen = 0, eosRejected = 0;
        Map<String, String> seen = new HashMap<>();
        if (text) {
            PreferenceTokenizer pt = new PreferenceTokenizer(tokenizer);
            String eos = tokenizer.eosToken();
            for (PreferencePair p : parsed.pairs()) {
                int before = pt.mismatches();
                examples.add(pt.tokenize(p));
                if (pt.mismatches() > before) mismatch.add(p.source(), pt.mismatches() - before);
                if (!conversational && eos != null) {
                    boolean c = !p.chosen().asText().endsWith(eos), j = !p.rejected().asText().endsWith(eos);
                    if (c || j) missingEos.add(p.source());
                    eosChosen += c ? 1 : 0;
                    eosRejected += j ? 1 : 0;
                }
                String prompt = promptText(p.prompt());
                if (!prompt.isBlank()) {
                    boolean c = contentText(p.chosen()).contains(prompt), j = contentText(p.rejected()).contains(prompt);
                    if (c || j) leak.add(p.source());
                    leakChosen += c ? 1 : 0;
                    leakRejected += j ? 1 : 0;
                }
                String key = p.prompt() + "\u0000" + p.chosen() + "\u0000" + p.rejected();
                if (seen.putIfAbsent(key, p.source()) != null) duplicate.add(p.source() + " (= " + seen.get(key) + ")");
            }
        } else {
            for (PreferenceExample e : examples) {
                String key = Arrays.toString(e.prompt()) + Arrays.toString(e.chosen()) + Arrays.toString(e.rejected());
                if (seen.putIfAbsent(key, e.source()) != null) duplicate.add(e.source() + " (= " + seen.get(key) + ")");
            }
        }
        Truncation truncation = settings.truncation();
        Collector truncated = new Collector();
        int dropped = 0, tPrompt = 0, tChosen = 0, tRejected = 0;
        long sumChosen = 0, sumRejected = 0;
        int longer = 0, equal = 0;
        for (PreferenceExample e : examples) {
            sumChosen += e.chosen().length;
            sumRejected += e.rejected().length;
            longer += e.chosen().length > e.rejected().length ? 1 : 0;
            equal += e.chosen().length == e.rejected().length ? 1 : 0;
            PreferenceExample t = truncation.apply(e);
            if (t == e) continue;
            truncated.add(e.source() + (t == null ? " (dropped)" : ""));
            if (t == null) {
                dropped++;
                continue;
            }
            tPrompt += t.prompt().length < e.prompt().length ? 1 : 0;
            tChosen += t.chosen().length < e.chosen().length ? 1 : 0;
            tRejected += t.rejected().length < e.rejected().length ? 1 : 0;
        }
        int n = examples.size();
        int total = n + identical.count;
        LengthBias bias = new LengthBias(n == 0 ? 0 : (double) sumChosen / n, n == 0 ? 0 : (double) sumRejected / n,
                frac(longer, n), frac(equal, n), n == 0 ? 0.5 : (longer + 0.5 * equal) / n);
        List<Finding> findings = new ArrayList<>();
        findings.add(truncated.finding("truncated", "pairs shortened or dropped by max_length/max_prompt_length", total,
                detail("dropped", dropped, "prompt", tPrompt, "chosen", tChosen, "rejected", tRejected)));
        findings.add(missingEos.finding("missing_eos", text && !conversational && tokenizer.eosToken() != null
                ? "text completions not ending with the EOS token " + tokenizer.eosToken() + " (appended in training, as TRL does)"
                : "not checked (needs text data and a tokenizer with an EOS token)", total, detail("chosen", eosChosen, "rejected", eosRejected)));
        findings.add(duplicate.finding("duplicate", "pairs repeating an earlier pair (prompt, chosen and rejected)", total, Map.of()));
        findings.add(identical.finding("identical", "records whose chosen equals their rejected (left out of the other checks)", total, Map.of()));
        findings.add(leak.finding("prompt_leak", text ? "completions containing the whole prompt text"
                : "not checked (needs text data)", total, detail("chosen", leakChosen, "rejected", leakRejected)));
        findings.add(mismatch.finding("boundary_mismatch", text
                ? "completions whose joint tokenization does not start with the prompt's ids (tokenized on their own)"
                : "not checked (needs text data)", total, detail("completions", mismatch.weight)));
        String kind = !text ? "pretokenized" : conversational ? "conversational" : "text";
        return new Result(file.toString(), records.size(), total, kind, bias, List.copyOf(findings));
    }

    /**
     * The pairs of file tokenized with tokenizer and truncated as training would, leaving out identical records and
     * pairs dropped by truncation (as {@link PreferenceData#load} reads a clean file).
     */
    public static Pairs pairs(Path file, PreferenceData.Settings settings, Tokenizer tokenizer) {
        List<DatasetRecord> kept = new ArrayList<>();
        ColumnMapping cols = settings.columns();
        for (DatasetRecord r : DatasetReader.read(file)) {
            JsonNode c = r.json().get(cols.column("chosen")), ci = r.json().get(cols.column("chosen_input_ids"));
            if (!(c != null && c.equals(r.json().get(cols.column("rejected")))
                    || ci != null && ci.equals(r.json().get(cols.column("rejected_input_ids"))))) kept.add(r);
        }
        PreferenceRecords.Parsed parsed = new PreferenceRecords(cols, settings.pairing()).parse(kept);
        List<PreferenceExample> ex = new ArrayList<>(parsed.pretokenized());
        if (!parsed.pairs().isEmpty()) {
            if (tokenizer == null) throw new InputException(file + ": text preference data needs a tokenizer");
            PreferenceTokenizer pt = new PreferenceTokenizer(tokenizer);
            for (PreferencePair p : parsed.pairs()) ex.add(pt.tokenize(p));
        }
        List<int[]> pr = new ArrayList<>(), ch = new ArrayList<>(), rj = new ArrayList<>();
        List<String> src = new ArrayList<>();
        for (PreferenceExample e : ex) {
            PreferenceExample t = settings.truncation().apply(e);
            if (t == null) continue;
            pr.add(t.prompt());
            ch.add(t.chosen());
            rj.add(t.rejected());
            src.add(t.source());
        }
        return new Pairs(pr.toArray(int[][]::new), ch.toArray(int[][]::new), rj.toArray(int[][]::new), src.toArray(String[]::new));
    }

    private static String promptText(JsonNode prompt) {
        if (prompt.isTextual()) return prompt.asText().strip();
        // the last user turn of a conversational prompt
        for (int i = prompt.size() - 1; i >= 0; i--) {
            if ("user".equals(prompt.get(i).path("role").asText())) return prompt.get(i).path("content").asText().strip();
        }
        return "";
    }

    private static String contentText(JsonNode completion) {
        if (completion.isTextual()) return completion.asText();
        StringBuilder b = new StringBuilder();
        for (JsonNode m : completion) b.append(m.path("content").asText()).append('\n');
        return b.toString();
    }

    private static double frac(int k, int n) {
        return n == 0 ? 0 : (double) k / n;
    }

    private static Map<String, Integer> detail(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Integer) kv[i + 1]);
        return m;
    }

    private static final class Collector {
        int count;
        int weight;
        final List<String> examples = new ArrayList<>();

        void add(String source) {
            add(source, 1);
        }

        void add(String source, int w) {
            count++;
            weight += w;
            if (examples.size() < EXAMPLES) examples.add(source);
        }

        Finding finding(String name, String description, int total, Map<String, Integer> detail) {
            return new Finding(name, description, count, frac(count, total), List.copyOf(examples), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(detail)));
        }
    }
}
