package io.github.promptonce.cli.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CSV dialect of the eval outputs: comma-separated, a field is quoted ({@code "…"}, quotes doubled) only when
 * it holds a comma or a quote; one record per line (fields never hold line breaks); numbers in the ROOT locale;
 * undefined numbers (NaN) are empty fields.
 */
final class Csv {
    private Csv() {
    }

    /** One CSV line (no line break) from fields. */
    static String line(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields.get(i);
            if (f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("CSV field holds a line break: " + f);
            }
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        return sb.toString();
    }

    /** The fields of one CSV line. */
    static List<String> parse(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        f.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote in CSV line: " + line);
        }
        out.add(f.toString());
        return out;
    }

    /** Up to 6 decimals, no trailing zeros; empty for NaN. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = String.format(Locale.ROOT, "%.6f", v);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    /** Parses {@link #num}'s output (empty = NaN). */
    static double parseNum(String s) {
        String t = s.trim();
        return switch (t) {
            case "" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(t);
        };
    }

    /** A row read from a CSV file with a header: fields by column name. */
    record Row(List<String> header, List<String> fields) {
        String get(String column) {
            int i = header.indexOf(column);
            if (i < 0) {
                throw new IllegalArgumentException("no column '" + column + "' in " + header);
            }
            return i < fields.size() ? fields.get(i) : "";
        }

        int getInt(String column) {
            String s = get(column).trim();
            return s.isEmpty() ? -1 : Integer.parseInt(s);
        }

        long getLong(String column) {
            return Long.parseLong(get(column).trim());
        }

        double getDouble(String column) {
            return parseNum(get(column));
        }
    }
}
