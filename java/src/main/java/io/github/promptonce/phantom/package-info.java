/**
 * Synthetic 3-D phantoms with a known truth, for {@code demo}, tests and the embedded default model:
 * {@link io.github.promptonce.phantom.PhantomGenerator} makes a {@link io.github.promptonce.phantom.Phantom} (a volume,
 * its target label and its distractors) from a seed, following models/PHANTOMS.md exactly as the Python generator
 * the model is trained with (a Maven test compares the two voxel by voxel). A 256 × 256 × 24 phantom takes about half
 * a second.
 */
package io.github.promptonce.phantom;
