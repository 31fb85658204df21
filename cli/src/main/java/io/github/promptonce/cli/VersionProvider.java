package io.github.promptonce.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the project version (filtered into version.properties by Maven) and the Java runtime. */
public final class VersionProvider implements IVersionProvider {
    /** The promptonce version, or "unknown" when the resource is missing. */
    public static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "promptonce " + version(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")"};
    }
}
