package align4j.train;

import align4j.InputException;
import align4j.data.DatasetRecord;
import align4j.eval.RewardFunctions;
import align4j.eval.Sample;
import align4j.text.Tokenizer;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The {@link RewardPlugin}s of the {@code --reward-jar} jars: each jar gets its own class loader (over the jar,
 * parented by align4j's) and must provide at least one plug-in; names are distinct and never a built-in's.
 */
public final class RewardPlugins {
    private RewardPlugins() {}

    /** Name → plug-in of every jar, in jar order; throws {@link InputException} naming the jar. */
    public static Map<String, RewardPlugin> load(List<Path> jars) {
        Map<String, RewardPlugin> out = new LinkedHashMap<>();
        Map<String, Path> from = new LinkedHashMap<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) throw new InputException("--reward-jar " + jar + ": no such file");
            URL url;
            try {
                url = jar.toAbsolutePath().toUri().toURL();
            } catch (MalformedURLException e) {
                throw new InputException("--reward-jar " + jar + ": " + e.getMessage());
            }
            // kept open for the run: the plug-ins' classes load lazily
            URLClassLoader loader = new URLClassLoader(new URL[] {url}, RewardPlugin.class.getClassLoader());
            int found = 0;
            try {
                for (RewardPlugin p : ServiceLoader.load(RewardPlugin.class, loader)) {
                    if (p.getClass().getClassLoader() != loader) continue; // provided by the class path or another jar
                    String name = p.name();
                    if (name == null || name.isBlank() || name.contains(",") || name.contains(":")) {
                        throw new InputException("--reward-jar " + jar + ": " + p.getClass().getName() + " has the name '" + name
                                + "'; a plug-in's name is non-empty without ',' or ':'");
                    }
                    if (builtIn(name)) {
                        throw new InputException("--reward-jar " + jar + ": the plug-in '" + name + "' (" + p.getClass().getName()
                                + ") has the name of a built-in reward function; rename it");
                    }
                    if (out.containsKey(name)) {
                        throw new InputException("--reward-jar " + jar + ": the plug-in '" + name + "' is also in " + from.get(name));
                    }
                    out.put(name, p);
                    from.put(name, jar);
                    found++;
                }
            } catch (ServiceConfigurationError e) {
                throw new InputException("--reward-jar " + jar + ": cannot load its reward plug-ins: " + e.getMessage());
            }
            if (found == 0) {
                throw new InputException("--reward-jar " + jar + ": provides no reward plug-in (META-INF/services/"
                        + RewardPlugin.class.getName() + " lists none)");
            }
        }
        return out;
    }

    private static boolean builtIn(String name) {
        try {
            RewardFunctions.get(name);
            return true;
        } catch (InputException e) {
            return false;
        }
    }

    /** The plug-in as a reward function; texts are decoded with tokenizer (null: texts are null). */
    public static RewardFunction function(RewardPlugin plugin, Tokenizer tokenizer) {
        return r -> {
            List<Sample> samples = new ArrayList<>(r.size());
            for (int i = 0; i < r.size(); i++) {
                DatasetRecord rec = r.records() == null ? null : r.records()[i];
                samples.add(new Sample(promptText(rec, r.prompts()[i], tokenizer), r.prompts()[i],
                        tokenizer == null ? null : tokenizer.decode(r.completions()[i], true), r.completions()[i], null, rec));
            }
            double[] s = plugin.score(samples);
            if (s == null || s.length != samples.size()) {
                throw new IllegalStateException("reward plug-in '" + plugin.name() + "' gave " + (s == null ? "null" : s.length + " scores")
                        + " for " + samples.size() + " completions");
            }
            float[] out = new float[s.length];
            for (int i = 0; i < s.length; i++) out[i] = (float) s[i];
            return out;
        };
    }

    /** The prompt as text: the record's 'prompt' when it is text, else the decoded prompt tokens (null without a tokenizer). */
    static String promptText(DatasetRecord rec, int[] ids, Tokenizer tokenizer) {
        if (rec != null && rec.json().path("prompt").isTextual()) return rec.json().get("prompt").asText();
        return tokenizer == null ? null : tokenizer.decode(ids, true);
    }
}
