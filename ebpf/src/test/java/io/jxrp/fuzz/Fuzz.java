package io.jxrp.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A seeded, time-bounded fuzz loop for jxrp's fuzz tests (tagged {@code fuzz}): inputs come from a
 * generator given a {@link Random} seeded from the run's seed and the input's number, so input
 * {@code i} of seed {@code s} can be made again; each is checked, and any input whose check throws is
 * a failure, kept as a file.
 *
 * <ul>
 * <li>{@code -Djxrp.fuzz.seconds=N}: time per target (each test gives its CI default, a few tens of
 *     seconds); {@code -Djxrp.fuzz.seed=S}: the seed (default: the clock, printed);
 * <li>before generating anything, every input kept under {@code src/test/resources/fuzz-regressions/<target>/}
 *     (a regression test each) is replayed;
 * <li>a failing input is written to {@code -Djxrp.fuzz.keep=DIR/<target>/} (relative to the module:
 *     {@code scripts/fuzz} gives {@code src/test/resources/fuzz-regressions}, so the input becomes a
 *     regression test once committed), else to {@code target/fuzz-failures/<target>/};
 * <li>every run appends one line to {@code target/fuzz-report.txt}: target, inputs tried, seconds, seed,
 *     failures.
 * </ul>
 */
public final class Fuzz {
    /** Makes input {@code index} from its own random source. */
    @FunctionalInterface
    public interface Generator {
        byte[] generate(Random random, long index) throws Exception;
    }

    /** Checks one input: returns normally when the code under test behaved, throws (with the why) when not. */
    @FunctionalInterface
    public interface Check {
        void check(byte[] input) throws Exception;
    }

    /** What a run did. */
    public record Report(String target, long inputs, long replayed, double seconds, long seed, List<String> failures) {
    }

    private static final int MAX_FAILURES_KEPT = 10;

    private Fuzz() {
    }

    /**
     * Replays {@code target}'s kept inputs, then generates and checks inputs until the time is up;
     * fails (AssertionError naming the seed, the input's number and the file it was kept in) when any
     * input failed.
     *
     * @param owner          the test class (its module's test resources hold the regressions)
     * @param defaultSeconds time when {@code -Djxrp.fuzz.seconds} is not given
     */
    public static Report run(Class<?> owner, String target, int defaultSeconds, Generator generator, Check check) {
        long seconds = Long.getLong("jxrp.fuzz.seconds", defaultSeconds);
        String givenSeed = System.getProperty("jxrp.fuzz.seed");
        long seed = givenSeed != null ? Long.parseLong(givenSeed) : System.nanoTime();
        List<String> failures = new ArrayList<>();
        long replayed = 0;
        for (Path kept : regressions(owner, target)) {
            replayed++;
            byte[] input;
            try {
                input = Files.readAllBytes(kept);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                check.check(input);
            } catch (Throwable t) {
                failures.add("regression " + kept.getFileName() + ": " + t);
            }
        }
        long started = System.nanoTime();
        long deadline = started + seconds * 1_000_000_000L;
        long inputs = 0;
        while (System.nanoTime() - deadline < 0 && failures.size() < MAX_FAILURES_KEPT) {
            long index = inputs++;
            byte[] input;
            try {
                input = generator.generate(new Random(seed * 0x9E3779B97F4A7C15L + index), index);
            } catch (Exception e) {
                throw new IllegalStateException(target + ": generator failed at input " + index + " of seed " + seed, e);
            }
            try {
                check.check(input);
            } catch (Throwable t) {
                Path file = keep(target, input);
                failures.add("seed " + seed + " input " + index + " (kept as " + file + "): " + t);
                t.printStackTrace(System.out);
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Report report = new Report(target, inputs, replayed, elapsed, seed, failures);
        String line = String.format(java.util.Locale.ROOT, "fuzz %s: %d inputs in %.1f s (%.0f/s), %d regressions replayed, seed %d,"
                        + " %d failures", target, inputs, elapsed, inputs / Math.max(elapsed, 1e-9), replayed, seed, failures.size());
        System.out.println(line);
        try {
            Path reportFile = Path.of("target", "fuzz-report.txt");
            Files.createDirectories(reportFile.getParent());
            Files.writeString(reportFile, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(target + ": " + failures.size() + " failing input(s) (re-run with -Djxrp.fuzz.seed="
                    + seed + "): " + String.join("; ", failures));
        }
        return report;
    }

    /** The kept inputs of {@code target} in the owner's test resources, in name order. */
    static List<Path> regressions(Class<?> owner, String target) {
        URL url = owner.getResource("/fuzz-regressions/" + target);
        if (url == null || !"file".equals(url.getProtocol())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a failing input where it is kept, named by its content. */
    private static Path keep(String target, byte[] input) {
        String keepDir = System.getProperty("jxrp.fuzz.keep");
        Path dir = (keepDir != null ? Path.of(keepDir) : Path.of("target", "fuzz-failures")).resolve(target);
        try {
            Files.createDirectories(dir);
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            Path file = dir.resolve("input-" + HexFormat.of().formatHex(sha.digest(input), 0, 8));
            Files.write(file, input);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text inputs (command lines, corruption lists) as bytes and back. */
    public static byte[] lines(List<String> lines) {
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    public static List<String> lines(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
    }
}
