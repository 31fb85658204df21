/**
 * Segmentation metrics: Dice and Jaccard per 2-D slice and per volume, with slices where both masks are empty counted
 * apart and false-positive slices (truth empty, prediction not) reported; CSV output.
 */
package io.github.promptonce.metrics;
