package io.github.promptonce.volume;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Comparator;

/** "Natural" order of names: runs of digits compare as numbers, so img2.png sorts before img10.png. */
public final class NaturalOrder implements Comparator<String> {
    /** The comparator for strings. */
    public static final NaturalOrder STRINGS = new NaturalOrder();
    /** Paths compared by their string form. */
    public static final Comparator<Path> PATHS = (a, b) -> STRINGS.compare(a.toString(), b.toString());

    private NaturalOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = new BigInteger(a.substring(si, i)).compareTo(new BigInteger(b.substring(sj, j)));
                if (c != 0) {
                    return c;
                }
                c = Integer.compare(i - si, j - sj); // "01" after "1"
                if (c != 0) {
                    return c;
                }
            } else {
                int c = Character.compare(Character.toLowerCase(ca), Character.toLowerCase(cb));
                if (c != 0) {
                    return c;
                }
                c = Character.compare(ca, cb);
                if (c != 0) {
                    return c;
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
