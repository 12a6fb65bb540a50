package io.jxrp.engine.backend;

import java.io.IOException;

/** A way to do I/O: opens queue pairs over files or block devices. */
public interface IoBackend {

    /** Short name used in options and logs: {@code uring}, {@code java}. */
    String name();

    /** Opens one queue pair; each reactor gets its own. */
    IoQueue open(QueueSpec spec) throws IOException;
}
