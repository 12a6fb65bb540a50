package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jxrp.bpfkv.io.DbBuilder;
import io.jxrp.engine.TestFiles;
import java.io.File;
import java.io.IOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every Java example in the repository's README, compiled and run as a user would: the module
 * descriptor the README shows is the examples' descriptor, they compile with {@code -Xlint:all
 * -Werror} against only the modules it requires (found on the test class path by module name),
 * and each runs in its own JVM, in a directory holding the files it names (a chain file, the
 * 4-layer database the demo creates), on the module path and on the class path with the native
 * access flags the README gives. What it prints is checked against what the file behind it must
 * give, and the JVM must not warn (a missing native-access grant is a JVM warning).
 */
@Timeout(300)
class ReadmeExamplesTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
    private static final Pattern MODULE = Pattern.compile("(?m)^\\s*module\\s+([\\w.]+)\\s*\\{");
    private static final String PACKAGE = "readme.examples";
    /** What a snippet may use without importing it (an IDE would add these). */
    private static final List<String> IMPORTS = List.of("io.jxrp.bpfkv.*", "io.jxrp.engine.*", "java.lang.foreign.*",
            "java.nio.ByteOrder", "java.nio.file.*", "java.util.*", "java.util.concurrent.*", "java.util.stream.*");
    /** An application's logging backend rides along, so slf4j does not warn that there is none. */
    private static final String LOGGING_BACKEND = "org.slf4j.simple";
    private static final int CHAIN_RECORDS = 64;
    private static final int CHAIN_HOPS = 20;

    private Path dir;

    /** A README snippet and the name of its wrapper class. */
    record Example(int number, String code) {
        String className() {
            return "Example" + number;
        }
    }

    @BeforeEach
    void directory() throws IOException {
        dir = Files.createTempDirectory(TestFiles.dir(), "readme-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void everyJavaExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("jxrp.readme", "../README.md")), StandardCharsets.UTF_8);
        String descriptor = null;
        List<Example> examples = new ArrayList<>();
        Matcher blocks = JAVA_BLOCK.matcher(readme);
        while (blocks.find()) {
            String code = blocks.group(1);
            if (MODULE.matcher(code).find()) {
                assertEquals(null, descriptor, "the README shows two module descriptors");
                descriptor = code;
            } else {
                examples.add(new Example(examples.size() + 1, code));
            }
        }
        assertNotNull(descriptor, "the README shows no module descriptor (module ... { requires io.jxrp.bpfkv; })");
        assertTrue(examples.size() >= 2, "expected the engine and the BpfKv examples, found " + examples.size());
        Matcher moduleName = MODULE.matcher(descriptor);
        assertTrue(moduleName.find());
        String module = moduleName.group(1);

        List<Path> modulePath = modulesFor(descriptor);
        Path classes = compile(descriptor, examples, modulePath);

        for (Example example : examples) {
            Path cwd = Files.createDirectories(dir.resolve("run-" + example.number()));
            List<String> expected = fixture(example, cwd);
            String path = join(classes, modulePath);
            String mainClass = PACKAGE + "." + example.className();
            run(example, "module path", cwd, expected, "--enable-native-access=com.sun.jna,io.jxrp.nvme",
                    "--module-path", path, "-m", module + "/" + mainClass);
            run(example, "class path", cwd, expected, "--enable-native-access=ALL-UNNAMED", "-cp", path, mainClass);
        }
    }

    // ---- what each example reads and must print --------------------------------------------------

    /** Creates the files the example names in {@code cwd}; returns the lines it must print. */
    private static List<String> fixture(Example example, Path cwd) throws IOException {
        if (example.code().contains("\"chain.bin\"")) {
            return List.of("OK " + chainFile(cwd.resolve("chain.bin")));
        }
        if (example.code().contains("\"data/bpfkv-4.db\"")) {
            DbBuilder.create(Files.createDirectories(cwd.resolve("data")).resolve("bpfkv-4.db"), 4, DbBuilder.Options.defaults());
            // create's values are the keys' decimal text: what each of the example's calls must return
            return List.of("42", "[1, 2, 3]", "100=100", "101=101", "102=102", "1000 499500 499.5", "7");
        }
        if (example.code().contains("\"data/mine.db\"")) {
            Files.createDirectories(cwd.resolve("data")); // the example loads it, writes, compacts and scans it
            return List.of("[9=nine, 10=ten, 11=eleven, 12=twelve, 42=answer]");
        }
        fail("README example " + example.number() + " names no file this test knows; give it a fixture and its output:\n"
                + example.code());
        return List.of();
    }

    /**
     * A chain of 512-byte records, each starting with the index of the next (a random permutation,
     * so an answer off by one hop or read from the wrong record shows). Returns the record
     * {@link #CHAIN_HOPS} links after record 0.
     */
    private static long chainFile(Path file) throws IOException {
        long seed = Model.seed();
        Random random = new Random(seed);
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < CHAIN_RECORDS; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        long[] next = new long[CHAIN_RECORDS];
        for (int i = 0; i < CHAIN_RECORDS; i++) {
            next[(int) (long) order.get(i)] = order.get((i + 1) % CHAIN_RECORDS);
        }
        ByteBuffer bytes = ByteBuffer.allocate(CHAIN_RECORDS * 512).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < CHAIN_RECORDS; i++) {
            bytes.putLong(i * 512, next[i]);
        }
        Files.write(file, bytes.array());
        long at = 0;
        for (int hop = 0; hop < CHAIN_HOPS; hop++) {
            at = next[(int) at];
        }
        return at;
    }

    // ---- compile and run ----------------------------------------------------------------------------

    /**
     * The jars and class folders of the test class path that hold the modules the descriptor requires,
     * transitively (plus a logging backend), each found by its module name.
     */
    private static List<Path> modulesFor(String descriptor) {
        Map<String, Path> byName = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) ? !Files.exists(p.resolve("module-info.class")) : !entry.endsWith(".jar")) {
                continue; // a test-classes folder: no module
            }
            try {
                for (ModuleReference ref : ModuleFinder.of(p).findAll()) {
                    byName.putIfAbsent(ref.descriptor().name(), p);
                }
            } catch (FindException e) {
                // a jar that is no module (an automatic name it cannot derive): not one we need
            }
        }
        ModuleFinder system = ModuleFinder.ofSystem();
        Set<String> wanted = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        Matcher requires = Pattern.compile("(?m)^\\s*requires\\s+(?:transitive\\s+)?([\\w.]+)\\s*;").matcher(descriptor);
        while (requires.find()) {
            todo.add(requires.group(1));
        }
        todo.add(LOGGING_BACKEND);
        List<Path> path = new ArrayList<>();
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (!wanted.add(name) || system.find(name).isPresent()) {
                continue;
            }
            Path where = byName.get(name);
            assertNotNull(where, "module " + name + " is not on the test class path");
            path.add(where);
            Optional<ModuleReference> ref = ModuleFinder.of(where).find(name);
            for (ModuleDescriptor.Requires r : ref.orElseThrow().descriptor().requires()) {
                if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    todo.add(r.name());
                }
            }
        }
        return path;
    }

    private Path compile(String descriptor, List<Example> examples, List<Path> modulePath) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<Path> files = new ArrayList<>();
        files.add(Files.writeString(sources.resolve("module-info.java"), descriptor));
        Path pkg = Files.createDirectories(sources.resolve(PACKAGE.replace('.', '/')));
        for (Example example : examples) {
            StringBuilder src = new StringBuilder("package " + PACKAGE + ";\n\n");
            IMPORTS.forEach(i -> src.append("import ").append(i).append(";\n"));
            src.append("\npublic final class ").append(example.className()).append(" {\n")
                    .append("    private ").append(example.className()).append("() {\n    }\n\n")
                    .append("    public static void main(String[] args) throws Exception {\n")
                    .append(example.code().indent(8))
                    .append("    }\n}\n");
            files.add(Files.writeString(pkg.resolve(example.className() + ".java"), src.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "25", "-Xlint:all", "-Werror", "-d", classes.toString(),
                    "--module-path", join(null, modulePath));
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                report.append(d.getKind()).append(' ').append(d.getSource() == null ? "" : d.getSource().getName())
                        .append(':').append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
            }
            assertTrue(ok && report.isEmpty(), "the README's examples do not compile cleanly:\n" + report);
        }
        return classes;
    }

    private static void run(Example example, String how, Path cwd, List<String> expected, String... javaArgs)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(javaArgs));
        Path out = cwd.resolve("stdout.txt");
        Path err = cwd.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        process.getOutputStream().close();
        String what = "README example " + example.number() + " on the " + how;
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(what + " did not finish");
        }
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        assertEquals(0, process.exitValue(), what + " failed:\n" + stdout + stderr);
        assertFalse(stderr.contains("WARN"), what + " warned:\n" + stderr);
        assertEquals(expected, stdout.lines().toList(), what + " printed (stderr:\n" + stderr + ")");
    }

    private static String join(Path first, List<Path> rest) {
        List<String> parts = new ArrayList<>();
        if (first != null) {
            parts.add(first.toString());
        }
        rest.forEach(p -> parts.add(p.toString()));
        return String.join(File.pathSeparator, parts);
    }
}
