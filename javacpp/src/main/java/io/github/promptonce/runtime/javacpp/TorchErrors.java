package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the exceptions LibTorch raises through JavaCPP (a {@link RuntimeException} carrying {@code what()}) into
 * {@link PromptonceException}s with the codes the native backend uses for the same situations. The heuristics mirror
 * {@code native/src/po_error.cpp} and {@code po_module.cpp} (keep them in step).
 */
final class TorchErrors {
    /** {@code looks_like_out_of_memory} in po_error.cpp, plus {@code std::bad_alloc} (caught by type there). */
    private static final String[] OUT_OF_MEMORY = {
        "out of memory",
        "can't allocate memory",
        "cannot allocate memory",
        "bad_alloc",
    };

    /** {@code looks_like_shape_mismatch} in po_error.cpp. */
    private static final String[] SHAPE_MISMATCH = {
        "must match the size",
        "doesn't match the broadcast shape",
        "shapes cannot be multiplied",
        "size mismatch",
        "inconsistent tensor size",
        "sizes of tensors must match",
        "is invalid for input of size",
        "dimension out of range",
        "-dimensional input",
        "but got input of size",
        "number of dims don't match",
        "expected scalar type",
        "expected object of scalar type",
        "same dtype",
        "dtype mismatch",
        "expected a value of type",
    };

    static final String TORCHSCRIPT_HEAD = "The following operation failed in the TorchScript interpreter.";

    private TorchErrors() {
    }

    /**
     * LibTorch's message without the C++ backtrace that {@code c10::Error::what()} appends (the native layer uses
     * {@code what_without_backtrace()}); {@code std::bad_alloc} becomes the native layer's wording.
     */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isEmpty()) {
            return e.getClass().getName();
        }
        if (m.equals("std::bad_alloc")) {
            return "out of memory (std::bad_alloc)";
        }
        int cut = m.length();
        for (String marker : new String[] {"\nException raised from ", "\nframe #0"}) {
            int i = m.indexOf(marker);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return m.substring(0, cut).strip();
    }

    static boolean looksLikeOutOfMemory(String message) {
        return containsAny(message, OUT_OF_MEMORY);
    }

    static boolean looksLikeShapeMismatch(String message) {
        return containsAny(message, SHAPE_MISMATCH);
    }

    /** OUT_OF_MEMORY, SHAPE_MISMATCH or INTERNAL by the message, as {@code classify} in po_error.cpp. */
    static ErrorCode classify(String message) {
        if (looksLikeOutOfMemory(message)) {
            return ErrorCode.OUT_OF_MEMORY;
        }
        if (looksLikeShapeMismatch(message)) {
            return ErrorCode.SHAPE_MISMATCH;
        }
        return ErrorCode.INTERNAL;
    }

    /** A LibTorch failure while doing {@code context}: classified, message {@code context + ": " + LibTorch's}. */
    static PromptonceException failure(RuntimeException e, String context) {
        if (e instanceof PromptonceException p) {
            return p;
        }
        String m = message(e);
        return new PromptonceException(classify(m), context + ": " + m, e);
    }

    /** Whether a method call failed in the TorchScript interpreter (rather than in the argument checks before it). */
    static boolean isInterpreterFailure(String message) {
        return message.startsWith(TORCHSCRIPT_HEAD);
    }

    /**
     * {@code torchscript_error_first} of po_module.cpp: an interpreter failure is
     * head, serialized traceback, original traceback, then "RuntimeError: what went wrong"; the last part is what the
     * caller needs, so it is moved first and the tracebacks follow it. Other messages are returned as they are.
     */
    static String torchscriptErrorFirst(String message) {
        if (!isInterpreterFailure(message)) {
            return message;
        }
        List<String> lines = new ArrayList<>(List.of(message.split("\n", -1)));
        int lastTraceback = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Traceback")) {
                lastTraceback = i;
            }
        }
        for (int i = lastTraceback + 1; i < lines.size(); i++) {
            if (!isExceptionLine(lines.get(i))) {
                continue;
            }
            StringBuilder result = new StringBuilder();
            for (int j = i; j < lines.size(); j++) {
                result.append(lines.get(j)).append('\n');
            }
            for (int j = 1; j < i; j++) {
                result.append(lines.get(j)).append('\n');
            }
            return result.toString().stripTrailing();
        }
        return message;
    }

    /** "RuntimeError: ...", "builtins.ValueError: ...": an exception class name ending in Error or Exception. */
    private static boolean isExceptionLine(String line) {
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
                || line.charAt(i) == '.')) {
            i++;
        }
        if (i == 0 || !line.startsWith(": ", i)) {
            return false;
        }
        String name = line.substring(0, i);
        return name.endsWith("Error") || name.endsWith("Exception");
    }

    private static boolean containsAny(String message, String[] needles) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        for (String n : needles) {
            if (m.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
