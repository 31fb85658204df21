package io.github.promptonce.overlay;

import java.awt.image.BufferedImage;

/** Draws a number with a built-in 3×5 pixel font (no system fonts needed, so it works on headless servers). */
final class TileLabel {
    private static final String[] DIGITS = {
        "111101101101111", "010110010010111", "111001111100111", "111001111001111", "101101111001001",
        "111100111001111", "111100111101111", "111001001001001", "111101111101111", "111101111001111"};

    private TileLabel() {
    }

    /** White digits on a black box at the top-left corner. */
    static void draw(BufferedImage img, int number) {
        String text = Integer.toString(number);
        int p = Math.max(2, Math.min(img.getWidth(), img.getHeight()) / 80); // pixel size of one font dot
        int boxW = (text.length() * 4 + 1) * p;
        int boxH = 7 * p;
        if (boxW > img.getWidth() || boxH > img.getHeight()) {
            return;
        }
        for (int y = 0; y < boxH; y++) {
            for (int x = 0; x < boxW; x++) {
                img.setRGB(x, y, 0x000000);
            }
        }
        for (int c = 0; c < text.length(); c++) {
            String glyph = DIGITS[text.charAt(c) - '0'];
            int ox = (1 + 4 * c) * p;
            for (int gy = 0; gy < 5; gy++) {
                for (int gx = 0; gx < 3; gx++) {
                    if (glyph.charAt(gy * 3 + gx) == '1') {
                        for (int dy = 0; dy < p; dy++) {
                            for (int dx = 0; dx < p; dx++) {
                                img.setRGB(ox + gx * p + dx, (1 + gy) * p + dy, 0xFFFFFF);
                            }
                        }
                    }
                }
            }
        }
    }
}
