package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.PromptonceException;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;

/**
 * Run in a child JVM by {@link BackendSelectionTest}: asks {@code TorchRuntimes} for each backend named in the
 * arguments, in order, printing {@code loaded NAME VERSION} for each. Exit 0 when all loaded; 3 with
 * {@code CODE: message} on stderr at the first refusal.
 */
public final class BackendProbe {
    private BackendProbe() {
    }

    public static void main(String[] args) {
        for (String backend : args) {
            try {
                TorchRuntime runtime = TorchRuntimes.get(backend);
                System.out.println("loaded " + runtime.name() + " " + runtime.torchVersion());
                System.out.flush();
            } catch (PromptonceException e) {
                System.err.println(e.code() + ": " + e.getMessage());
                System.exit(3);
            }
        }
    }
}
