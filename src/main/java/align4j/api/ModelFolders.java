package align4j.api;

import align4j.io.HubCache;
import align4j.io.PeftAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a job's model folder argument points (a folder, or a Hub name found in the local cache, {@link HubCache}): a
 * model folder, or a PEFT adapter folder (then the base it names holds
 * the model, and the adapter folder's tokenizer files, when it has them, are used).
 *
 * @param adapter   the PEFT adapter folder, or null for a plain model folder
 * @param base      the model folder the weights come from
 * @param tokenizer where the tokenizer files are read from
 */
record ModelFolders(Path adapter, Path base, Path tokenizer) {
    /** tokenizerDir (a --tokenizer option) wins when not null. */
    static ModelFolders of(Path dir, Path tokenizerDir) throws IOException {
        dir = HubCache.resolve(dir);
        Path adapter = PeftAdapter.isAdapterFolder(dir) ? dir : null;
        Path base = adapter != null ? PeftAdapter.baseFolder(adapter) : dir;
        Path tok = tokenizerDir != null ? tokenizerDir
                : adapter != null && Files.isRegularFile(adapter.resolve("tokenizer.json")) ? adapter : base;
        return new ModelFolders(adapter, base, tok);
    }
}
