package io.github.promptonce.cli.eval;

import io.github.promptonce.Prompts;
import io.github.promptonce.volume.VolumeFormatException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the shared-seed reference of each structure label, once per run: the seed slice ({@link SeedRule}) of the
 * first volume by name that holds the label (unreadable volumes are passed over). A rerun reuses the reference
 * its finished results name, so every volume of a dataset is segmented from the same prompt.
 */
final class SharedReferences {
    /** The reference of a label cannot be made; every shared-seed volume of that label fails with it. */
    static final class ReferenceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReferenceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Dataset dataset;
    private final LoadedVolume.Reader reader;
    private final java.util.function.Function<String, Optional<String>> previousReference;
    private final SeedRule rule;
    private final Consumer<String> note;
    private final Map<String, SharedReference> found = new HashMap<>();
    private final Map<String, ReferenceException> failed = new HashMap<>();

    /** @param previousReference the reference of a label in the finished results ({@link Ledger#reference}) */
    SharedReferences(Dataset dataset, LoadedVolume.Reader reader,
                     java.util.function.Function<String, Optional<String>> previousReference, SeedRule rule,
                     Consumer<String> note) {
        this.dataset = dataset;
        this.reader = reader;
        this.previousReference = previousReference;
        this.rule = rule;
        this.note = note;
    }

    /** The reference of {@code label}. @throws ReferenceException when there is none */
    synchronized SharedReference get(String label) {
        if (failed.containsKey(label)) {
            throw failed.get(label);
        }
        return found.computeIfAbsent(label, l -> {
            try {
                SharedReference r = make(l);
                note.accept("shared-seed reference for label " + l + ": " + r.id() + " (the dataset's one prompt)");
                return r;
            } catch (ReferenceException e) {
                failed.put(l, e);
                throw e;
            }
        });
    }

    private SharedReference make(String label) {
        Optional<String> previous = previousReference.apply(label);
        if (previous.isPresent()) {
            SharedReference.Id id;
            try {
                id = SharedReference.Id.parse(previous.get());
            } catch (IllegalArgumentException e) {
                throw new ReferenceException("shared-seed: " + e.getMessage(), e);
            }
            String name = id.volume();
            DatasetItem item = dataset.items().stream().filter(i -> i.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ReferenceException("shared-seed: the reference volume " + name
                            + " of the finished results is not in the dataset any more", null));
            try {
                return at(reader.read(item, note), label, id.slice());
            } catch (RuntimeException e) {
                throw new ReferenceException("shared-seed: cannot use the reference " + previous.get()
                        + " of the finished results: " + e.getMessage(), e);
            }
        }
        for (DatasetItem item : dataset.items()) {
            try {
                if (reader.structures(item).stream().noneMatch(s -> s.label().equals(label))) {
                    continue;
                }
                LoadedVolume v = reader.read(item, note);
                Structure s = structure(v, label);
                return at(v, label, rule.seed(s.slices(), v.image().nz()));
            } catch (RuntimeException e) {
                note.accept("shared-seed: passing over " + item.name() + " as reference: " + e.getMessage());
            }
        }
        throw new ReferenceException("shared-seed: no readable volume holds label " + label, null);
    }

    private static SharedReference at(LoadedVolume v, String label, int slice) {
        Structure s = structure(v, label);
        if (slice < 0 || slice >= v.image().nz() || s.voxelsPerSlice()[slice] == 0) {
            throw new IllegalArgumentException("slice " + slice + " of " + v.item().name() + " does not hold label "
                    + label);
        }
        return new SharedReference(v.item().name(), slice, v.source().slice(slice),
                Prompts.fromMask(s.sliceMask(slice), v.image().nx(), v.image().ny()));
    }

    private static Structure structure(LoadedVolume v, String label) {
        List<Structure> all = v.structures();
        return all.stream().filter(s -> s.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(v.item().name() + " does not hold label " + label));
    }
}
