package io.github.promptonce.runtime.javacpp;

import io.github.promptonce.base.PromptonceException;
import io.github.promptonce.runtime.TorchRuntime;
import io.github.promptonce.runtime.TorchRuntimes;

/**
 * Run in a child JVM by {@link BackendSelectionTest}: asks {@code TorchRuntimes} for each backend named in the
 * arguments, in order, printing {@code loaded NAME VERSION} for each. Exit 0 when all loaded; 3 with
 * {@code CODE: message} on stderr at the first refusal. The argument {@code maps} prints {@code mapped PATH} for
 * every LibTorch library file the process has mapped.
 */
public final class BackendProbe {
    private BackendProbe() {
    }

    public static void main(String[] args) throws java.io.IOException {
        for (String backend : args) {
            if (backend.equals("maps")) { // which LibTorch files the process mapped
                java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps")).stream()
                        .filter(l -> l.contains("libtorch") || l.contains("libc10"))
                        .map(l -> l.substring(l.indexOf('/')))
                        .distinct()
                        .forEach(path -> System.out.println("mapped " + path));
                continue;
            }
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
