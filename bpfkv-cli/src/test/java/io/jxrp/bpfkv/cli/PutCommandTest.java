package io.jxrp.bpfkv.cli;

import static io.jxrp.bpfkv.cli.LoadCommandTest.DIR;
import static io.jxrp.bpfkv.cli.LoadCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bpfkv put}, {@code delete} and {@code compact}: durable writes from the command line. */
@Timeout(120)
class PutCommandTest {
    @Test
    void putDeleteStreamAndCompact() throws Exception {
        Files.createDirectories(DIR);
        Path db = DIR.resolve("cli-put.db");
        run(0, "1\tone\n2\ttwo\n", "load", db.toString(), "--from", "-", "--force", "--no-progress");
        assertEquals("committed 1\n", run(0, "", "put", db.toString(), "3", "three")[0].replaceAll("checkpoint.*\n", ""));
        assertEquals("3 three\n", run(0, "", "get", db.toString(), "3")[0]);
        assertEquals("deleted 1\n", run(0, "", "delete", db.toString(), "1")[0]);
        assertEquals("1 not found\n", run(1, "", "delete", db.toString(), "1")[0]);
        assertEquals("1 not found\n", run(1, "", "get", db.toString(), "1")[0]);

        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            lines.append(1000 + i).append('\t').append("v").append(i).append('\n');
        }
        String out = run(0, lines.toString(), "put", db.toString(), "--from", "-", "--no-checkpoint")[0];
        assertTrue(out.startsWith("committed ") && out.contains("committed 3000\n"), out);
        assertEquals("3999 v2999\n", run(0, "", "get", db.toString(), "3999")[0], "replayed from the log");
        String compacted = run(0, "", "compact", db.toString())[0];
        assertTrue(compacted.contains("3,000 writes from the log folded in, 3,002 keys"), compacted);
        String[] dump = run(0, "", "range", db.toString(), "0", "100000", "--dump", "--mode", "pread")[0].split("\n");
        assertEquals("3002 pairs", dump[dump.length - 1]);

        // a malformed line stops the stream with its number; what came before is committed
        String[] bad = run(2, "5\tfive\n6\tsix\nseven\t7\n8\teight\n", "put", db.toString(), "--from", "-");
        assertTrue(bad[1].contains("<stdin>: line 3: key 'seven'"), bad[1]);
        assertTrue(bad[0].contains("committed 2"), bad[0]);
        assertEquals("6 six\n", run(0, "", "get", db.toString(), "6")[0]);
        assertEquals("8 not found\n", run(1, "", "get", db.toString(), "8")[0]);
        // too long: refused, nothing written
        assertTrue(run(2, "", "put", db.toString(), "9", "x".repeat(65))[1].contains("longer than the 64-byte value slot"));
        assertEquals("9 not found\n", run(1, "", "get", db.toString(), "9")[0]);

        // a database replaced by load --force does not get the old one's logged writes replayed onto it
        run(0, "", "put", db.toString(), "77", "old", "--no-checkpoint");
        run(0, "1\tnew\n", "load", db.toString(), "--from", "-", "--force", "--no-progress");
        assertEquals("77 not found\n", run(1, "", "get", db.toString(), "77")[0]);
        assertEquals("1 new\n", run(0, "", "get", db.toString(), "1")[0]);
    }
}
