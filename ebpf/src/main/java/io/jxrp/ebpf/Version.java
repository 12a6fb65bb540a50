package io.jxrp.ebpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The jxrp version these classes were built as (the Maven project version, filtered into a resource
 * by the build). Every jxrp command prints it in its version string, so they all say the same.
 */
public final class Version {
    private static final String VERSION = load();

    private Version() {
    }

    /** The jxrp version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String jxrp() {
        return VERSION;
    }

    /** A command's version line: {@code <command> (jxrp <version>)}. */
    public static String of(String command) {
        return command + " (jxrp " + VERSION + ")";
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("jxrp-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("jxrp-version.properties is missing from io.jxrp.ebpf: a broken build");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
