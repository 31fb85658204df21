package io.github.promptonce.cli.eval;

import java.util.Set;

/**
 * What a protocol produced for one structure of one volume, before scoring.
 *
 * @param structure       the structure and its truth
 * @param predicted       the predicted binary mask, the truth's grid ({@code i + nx * (j + ny * k)})
 * @param mode            {@link VolumeRow#mode()}
 * @param prompts         prompts given on this volume
 * @param promptedSlices  the slices that got a prompt
 * @param sliceSeconds    time per slice where measured one by one (per-slice protocol), else null
 * @param seconds         wall time of the protocol on this structure
 * @param slicesProcessed slices the model segmented
 * @param seedSlice       where propagation started (-1: none)
 * @param reference       shared-seed reference {@code volume:slice}, else empty
 */
public record Outcome(Structure structure, byte[] predicted, String mode, int prompts, Set<Integer> promptedSlices,
                      double[] sliceSeconds, double seconds, int slicesProcessed, int seedSlice, String reference) {
}
