package io.jxrp.bpfkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.ebpf.Version;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What bpfkv prints for people (help, version, progress) and for programs (--json on every command). */
@Timeout(180)
class CliOutputTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Path dir;
    private static Path db;

    @BeforeAll
    static void createDatabase() throws Exception {
        dir = Path.of("target", "test-dbs", "output").toAbsolutePath();
        Files.createDirectories(dir);
        db = dir.resolve("out-L2.db");
        String[] created = run(0, "create", db.toString(), "--layers", "2", "--force", "--json");
        JsonNode c = JSON.readTree(created[0]);
        assertEquals(2, c.get("layers").asInt());
        assertEquals(961, c.get("keys").asLong());
        assertTrue(c.get("checksums").asString().endsWith(".crc32c"), created[0]);
        // stderr is no terminal here (a file or a pipe): no progress bar, so no terminal escapes
        assertFalse(created[1].contains("\u001b"), created[1]);
    }

    /** Runs and returns {stdout, stderr}. */
    private static String[] run(int expectedExit, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = BpfKvCli.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        String stderr = errors.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, String.join(" ", args) + " printed:\n" + text + stderr);
        return new String[] {text, stderr};
    }

    private static JsonNode json(int expectedExit, String... args) {
        String[] printed = run(expectedExit, args);
        assertEquals(1, printed[0].strip().lines().count(), "one JSON object on one line: " + printed[0]);
        return JSON.readTree(printed[0]);
    }

    @Test
    void theVersionIsJxrpsAsEveryCommandPrintsIt() {
        String version = run(0, "--version")[0].strip();
        assertEquals("bpfkv (jxrp " + Version.jxrp() + ")", version);
        assertTrue(Version.jxrp().matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"), Version.jxrp());
    }

    @Test
    void everySubcommandSummaryIsAWholeSentence() {
        String help = run(0, "--help")[0];
        List<String> lines = help.lines().dropWhile(l -> !l.startsWith("Commands:")).skip(1)
                .takeWhile(l -> !l.isBlank()).toList();
        List<String> commands = new java.util.ArrayList<>(); // an entry, with the lines picocli wrapped it onto
        for (String l : lines) {
            if (l.startsWith("  ") && !l.startsWith("   ")) {
                commands.add(l.strip());
            } else {
                commands.set(commands.size() - 1, commands.getLast() + " " + l.strip());
            }
        }
        assertTrue(commands.size() >= 7, help);
        for (String line : commands) {
            assertTrue(line.strip().endsWith("."), "cut or unfinished summary: '" + line + "'");
        }
        String range = run(0, "range", "--help")[0];
        for (String item : List.of("BEGIN", "END", "--count", "--sum", "--min", "--max", "--avg", "--json")) {
            String line = range.lines().filter(l -> l.strip().startsWith(item + " ") || l.strip().startsWith(item + "  ")
                    || l.contains(" " + item + " ")).findFirst().orElse("");
            assertTrue(line.strip().length() > item.length() + 5, item + " has no description:\n" + range);
        }
    }

    @Test
    void everyCommandHasJson() {
        JsonNode get = json(0, "get", db.toString(), "5", "7", "--json");
        assertEquals("5", get.get("lookups").get(0).get("key").asString());
        assertEquals(String.format("%63d", 5), get.get("lookups").get(0).get("value").asString(), "as stored, padding kept");
        assertTrue(get.get("lookups").get(1).get("found").asBoolean());
        JsonNode missing = json(BpfKvCli.EXIT_NOT_FOUND, "get", db.toString(), "961", "--json");
        assertFalse(missing.get("lookups").get(0).get("found").asBoolean());
        assertTrue(missing.get("lookups").get(0).get("value").isNull());

        JsonNode bench = json(0, "get", db.toString(), "--requests", "200", "--json");
        assertEquals(200, bench.get("requests").asLong());
        assertEquals(0, bench.get("wrong_or_missing").asLong());
        assertTrue(bench.get("latency_us").get("p99").isNumber());

        JsonNode count = json(0, "range", db.toString(), "10", "20", "--json");
        assertEquals(10, count.get("pairs").asLong());
        JsonNode dump = json(0, "range", db.toString(), "10", "13", "--dump", "--json");
        assertEquals(String.format("%63d", 12), dump.get("dump").get(2).get("value").asString());
        JsonNode aggregate = json(0, "range", db.toString(), "0", "10", "--sum", "--json");
        assertEquals(45, aggregate.get("sum").asLong());
        assertEquals(4.5, aggregate.get("avg").asDouble());
        JsonNode empty = json(0, "range", db.toString(), "5", "5", "--avg", "--json");
        assertTrue(empty.get("avg").isNull() && empty.get("count").asLong() == 0, empty.toString());

        JsonNode inspect = json(0, "inspect", db.toString(), "--node", "1", "--json");
        assertEquals(2, inspect.get("layers").asInt());
        assertEquals(2, inspect.get("levels").size());
        assertTrue(inspect.get("node").get("leaf").asBoolean());
        assertEquals("0", inspect.get("node").get("slots").get(0).get("key").asString());
        JsonNode deep = json(0, "inspect", db.toString(), "--deep", "--json");
        assertEquals(0, deep.get("problems").asLong());
        JsonNode scrub = json(0, "scrub", db.toString(), "--json");
        assertEquals(0, scrub.get("bad_blocks").asLong());
        assertTrue(scrub.get("blocks").asLong() > 0);
        JsonNode checksum = json(0, "checksum", db.toString(), "--force", "--json");
        assertEquals(scrub.get("blocks").asLong(), checksum.get("blocks").asLong());
    }

    @Test
    void theWriteCommandsHaveJson() throws Exception {
        Path mine = dir.resolve("out-mine.db");
        Path pairs = dir.resolve("out-pairs.txt");
        Files.writeString(pairs, "42\tanswer\n7\tseven\n42\tthe answer\n");
        JsonNode load = json(0, "load", mine.toString(), "--from", pairs.toString(), "--force", "--json");
        assertEquals(2, load.get("keys").asLong());
        assertEquals(3, load.get("lines").asLong());
        assertEquals(1, load.get("duplicates").asLong());
        assertEquals(1, load.get("layers").asInt());
        assertEquals(Files.size(mine), load.get("size_bytes").asLong());

        JsonNode put = json(0, "put", mine.toString(), "9", "nine", "--no-checkpoint", "--json");
        assertEquals(1, put.get("committed").asLong());
        assertFalse(put.get("checkpoint").asBoolean());
        Path more = dir.resolve("out-more.txt");
        Files.writeString(more, "10\tten\n11\televen\n");
        JsonNode stream = json(0, "put", mine.toString(), "--from", more.toString(), "--no-checkpoint", "--json");
        assertEquals(2, stream.get("committed").asLong(), "this run's commits, not one line per group");

        JsonNode deleted = json(0, "delete", mine.toString(), "7", "--no-checkpoint", "--json");
        assertEquals("7", deleted.get("key").asString());
        assertTrue(deleted.get("deleted").asBoolean());
        JsonNode absent = json(BpfKvCli.EXIT_NOT_FOUND, "delete", mine.toString(), "7", "--no-checkpoint", "--json");
        assertFalse(absent.get("deleted").asBoolean());

        JsonNode compact = json(0, "compact", mine.toString(), "--json");
        assertEquals(4, compact.get("writes_folded").asLong(), "puts of 9, 10, 11 and the delete of 7, from the log");
        assertEquals(4, compact.get("keys").asLong()); // 42, 9, 10, 11
        assertEquals(Files.size(mine), compact.get("size_bytes_after").asLong());
        JsonNode get = json(0, "get", mine.toString(), "42", "11", "--json");
        assertEquals("the answer", get.get("lookups").get(0).get("value").asString());
        assertEquals("eleven", get.get("lookups").get(1).get("value").asString());
    }
}
