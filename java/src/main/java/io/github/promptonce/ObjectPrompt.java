package io.github.promptonce;

import java.util.Objects;

/**
 * A prompt for one object on one slice.
 *
 * @param objectId the object it belongs to (> 0; also its label in label maps)
 * @param slice    the slice index (third volume axis)
 * @param prompt   points and/or box in that slice's pixel coordinates
 */
public record ObjectPrompt(int objectId, int slice, Prompt prompt) {
    public ObjectPrompt {
        if (objectId <= 0 || objectId > 255) {
            throw new IllegalArgumentException("object id " + objectId + " must be 1..255 (it becomes a uint8 label)");
        }
        if (slice < 0) {
            throw new IllegalArgumentException("slice " + slice + " must be >= 0");
        }
        Objects.requireNonNull(prompt, "prompt");
    }
}
