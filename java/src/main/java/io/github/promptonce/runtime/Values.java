package io.github.promptonce.runtime;

import java.util.List;

/** Helpers for method results (trees of tensors, lists and scalars). */
public final class Values {
    private Values() {
    }

    /** Closes every tensor in a result tree; ignores scalars and nulls. */
    public static void closeAll(Object value) {
        if (value instanceof Tensor t) {
            t.close();
        } else if (value instanceof List<?> list) {
            for (Object o : list) {
                closeAll(o);
            }
        }
    }

    /** The result as a list of tensors (a tuple or list of tensors, or one tensor); fails naming the actual kind. */
    public static List<Tensor> tensors(Object value) {
        if (value instanceof Tensor t) {
            return List.of(t);
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Tensor)) {
                    closeAll(value);
                    throw new io.github.promptonce.base.PromptonceException(io.github.promptonce.base.ErrorCode.SHAPE_MISMATCH,
                            "expected a tuple of tensors, element " + i + " is " + describe(list.get(i)));
                }
            }
            @SuppressWarnings("unchecked")
            List<Tensor> tensors = (List<Tensor>) list;
            return tensors;
        }
        throw new io.github.promptonce.base.PromptonceException(io.github.promptonce.base.ErrorCode.SHAPE_MISMATCH,
                "expected tensors, got " + describe(value));
    }

    /** A short description of method arguments for error messages: dtype and shape of tensors, list sizes. */
    public static String describeArguments(Object[] args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object a = args[i];
            if (a instanceof Tensor t && !t.isClosed()) {
                sb.append(t.dtype()).append(Shapes.format(t.shape()));
            } else if (a instanceof List<?> l) {
                sb.append("List[").append(l.size()).append("]");
            } else if (a instanceof long[] l) {
                sb.append("int[").append(l.length).append("]");
            } else if (a instanceof int[] l) {
                sb.append("int[").append(l.length).append("]");
            } else {
                sb.append(a);
            }
        }
        return sb.toString();
    }

    static String describe(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }
}
