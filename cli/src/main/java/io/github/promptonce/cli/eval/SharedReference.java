package io.github.promptonce.cli.eval;

import io.github.promptonce.Prompt;
import io.github.promptonce.volume.Slice;

/**
 * The shared-seed reference of one structure label: a slice of one volume with its prompt, the only prompt of
 * the dataset for that label.
 *
 * @param volume the reference volume's name
 * @param slice  the reference slice
 * @param image  the slice, windowed as its volume
 * @param prompt {@code Prompts.fromMask} of the structure's truth on it
 */
record SharedReference(String volume, int slice, Slice image, Prompt prompt) {

    /** As written in the {@code reference} column: {@code volume:slice}. */
    String id() {
        return volume + ":" + slice;
    }

    /** A parsed {@link #id()}. */
    record Id(String volume, int slice) {
        /** Parses {@code volume:slice} (the volume name may hold colons: the last one separates). */
        static Id parse(String id) {
            int c = id.lastIndexOf(':');
            try {
                if (c > 0) {
                    return new Id(id.substring(0, c), Integer.parseInt(id.substring(c + 1)));
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new IllegalArgumentException("reference '" + id + "' is not volume:slice");
        }
    }
}
