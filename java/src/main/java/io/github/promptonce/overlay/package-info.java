/**
 * Overlay images: the windowed slices of a volume with the mask (translucent fill and outline, one colour per label)
 * and prompt markers (positive points green, negative points red, boxes yellow), as per-slice PNGs or a montage.
 * Pure Java2D without text rendering, so it runs on headless machines without fonts.
 */
package io.github.promptonce.overlay;
