package align4j.cli;

import align4j.InputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Options from a YAML or JSON config file ({@code --config FILE}), keyed by TRL's snake_case names
 * ({@code learning_rate: 5e-6}); they become {@code --learning-rate=5e-6} arguments placed before the
 * command line's own, so a flag given on the command line overrides the file.
 */
final class ConfigFile {
    private ConfigFile() {}

    /** Expands {@code --config FILE} in args; knownOptions are the command's long option names. */
    static String[] expand(String[] args, Set<String> knownOptions) {
        List<String> rest = new ArrayList<>();
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                config = Path.of(args[i].substring("--config=".length()));
            } else {
                rest.add(args[i]);
            }
        }
        if (config == null) return args;
        List<String> out = new ArrayList<>(fromFile(config, knownOptions));
        out.addAll(rest);
        return out.toArray(String[]::new);
    }

    static List<String> fromFile(Path file, Set<String> knownOptions) {
        JsonNode root;
        try {
            String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            ObjectMapper m = name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
            root = m.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InputException(file + ": cannot read config file: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new InputException(file + ": a config file must be a mapping of option names to values");
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String flag = "--" + e.getKey().replace('_', '-');
            if (!knownOptions.contains(flag)) {
                throw new InputException(file + ": unknown option '" + e.getKey() + "'");
            }
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            if (v.isArray() && v.size() > 0 && java.util.stream.StreamSupport.stream(v.spliterator(), false).allMatch(JsonNode::isValueNode)) {
                // a list (e.g. lora_target_modules: [q_proj, v_proj]) for an option that splits on commas
                List<String> items = new ArrayList<>();
                v.forEach(x -> items.add(x.asText()));
                out.add(flag + "=" + String.join(",", items));
                continue;
            }
            if (v.isContainerNode()) throw new InputException(file + ": option '" + e.getKey() + "' must be a single value");
            out.add(flag + "=" + v.asText());
        }
        return out;
    }
}
