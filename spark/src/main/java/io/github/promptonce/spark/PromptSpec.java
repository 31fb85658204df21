package io.github.promptonce.spark;

import io.github.promptonce.Prompt;

/**
 * A prompt written in one column: {@code SLICE/X,Y} (a positive point), {@code SLICE/X,Y/X0,Y0,X1,Y1} (a point and
 * a box) or {@code SLICE//X0,Y0,X1,Y1} (a box). Pixels of the original slice, as {@code promptonce segment}.
 *
 * @param slice  the prompted slice
 * @param prompt the prompt on it
 */
record PromptSpec(int slice, Prompt prompt) {

    /** @throws IllegalArgumentException naming the text and the expected form */
    static PromptSpec parse(String text) {
        String[] parts = text.trim().split("/", -1);
        try {
            if (parts.length < 2 || parts.length > 3) {
                throw new NumberFormatException();
            }
            int slice = Integer.parseInt(parts[0].trim());
            Prompt prompt = null;
            if (!parts[1].isBlank()) {
                double[] p = numbers(parts[1], 2);
                prompt = Prompt.point(p[0], p[1]);
            }
            if (parts.length == 3) {
                double[] b = numbers(parts[2], 4);
                Prompt.Box box = new Prompt.Box(b[0], b[1], b[2], b[3]);
                prompt = prompt == null ? Prompt.box(b[0], b[1], b[2], b[3]) : prompt.withBox(box);
            }
            if (prompt == null) {
                throw new NumberFormatException();
            }
            return new PromptSpec(slice, prompt);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prompt '" + text + "' is not SLICE/X,Y, SLICE/X,Y/X0,Y0,X1,Y1 or "
                    + "SLICE//X0,Y0,X1,Y1");
        }
    }

    private static double[] numbers(String s, int n) {
        String[] f = s.split(",");
        if (f.length != n) {
            throw new NumberFormatException();
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = Double.parseDouble(f[i].trim());
        }
        return out;
    }
}
