package io.github.promptonce.sam;

import io.github.promptonce.base.ErrorCode;
import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.runtime.Tensor;
import io.github.promptonce.runtime.TorchModule;
import io.github.promptonce.runtime.Values;

import java.util.List;

/**
 * One exported TorchScript component and what its typed wrapper needs: the module, its name for messages, and
 * result unpacking that checks arity. Thread-safe like the module; close is idempotent.
 */
abstract class Component implements AutoCloseable {
    private final TorchModule module;
    private final String name;

    Component(TorchModule module, String name) {
        this.module = module;
        this.name = name;
    }

    final Object call(String method, Object... args) {
        return module.call(method, args);
    }

    /** The result as exactly {@code count} tensors (a tuple); anything else is a BAD_MODEL error naming it. */
    final List<Tensor> tensors(Object result, String method, int count) {
        List<Tensor> t = Values.tensors(result);
        if (t.size() != count) {
            Values.closeAll(result);
            throw new PromptonceException(ErrorCode.BAD_MODEL, name + "." + method + " returned " + t.size()
                    + " tensors, expected " + count + " (an export of another promptonce version?)");
        }
        return t;
    }

    /** The result as one tensor. */
    final Tensor tensor(Object result, String method) {
        if (result instanceof Tensor t) {
            return t;
        }
        Values.closeAll(result);
        throw new PromptonceException(ErrorCode.BAD_MODEL, name + "." + method + " returned "
                + (result == null ? "None" : result.getClass().getSimpleName()) + ", expected one tensor");
    }

    final String name() {
        return name;
    }

    @Override
    public void close() {
        module.close();
    }
}
