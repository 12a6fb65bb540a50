package io.jxrp.engine.backend;

import java.nio.file.OpenOption;

/**
 * The JDK's O_DIRECT open option ({@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, module
 * jdk.unsupported). Looked up by name because javac flags every compile-time use of it as internal
 * API, which {@code -Werror} turns into a failure and no annotation can suppress.
 */
public final class DirectIo {
    /** O_DIRECT for {@link java.nio.channels.FileChannel#open}; null if this JDK lacks it. */
    public static final OpenOption DIRECT = lookup();

    private DirectIo() {
    }

    private static OpenOption lookup() {
        try {
            Class<?> c = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            return (OpenOption) c.getField("DIRECT").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }

    /** DIRECT, or an UnsupportedOperationException saying this JDK cannot open files with O_DIRECT. */
    public static OpenOption require() {
        if (DIRECT == null) {
            throw new UnsupportedOperationException("this JDK has no com.sun.nio.file.ExtendedOpenOption.DIRECT");
        }
        return DIRECT;
    }
}
