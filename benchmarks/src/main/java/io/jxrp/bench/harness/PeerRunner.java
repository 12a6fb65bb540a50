package io.jxrp.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs another BPF-KV binary's {@code get} benchmark on the same database, e.g. the original
 * {@code simplekv DB LAYERS get --requests=N --threads=T}, and parses its output lines.
 * The argument template's placeholders {@code {db}}, {@code {layers}}, {@code {requests}} and
 * {@code {threads}} are replaced per run; the template is split on spaces.
 */
final class PeerRunner {
    /** The original's command line. */
    static final String DEFAULT_TEMPLATE = "{db} {layers} get --requests={requests} --threads={threads}";

    /** One peer run: the command, what it printed (parsed), or why it failed. */
    record Run(String command, int layers, int threads, long requests, PeerOutput output, String error) {
        Map<String, Object> row() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("command", command);
            row.put("layers", layers);
            row.put("threads", threads);
            row.put("requests", requests);
            PeerOutput o = output != null ? output : new PeerOutput(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN);
            row.putAll(o.row());
            row.put("error", error == null ? "" : error);
            return row;
        }
    }

    private final Path binary;
    private final String template;
    private final long timeoutSeconds;

    PeerRunner(Path binary, String template, long timeoutSeconds) {
        this.binary = binary;
        this.template = template;
        this.timeoutSeconds = timeoutSeconds;
    }

    List<String> command(Path db, int layers, int threads, long requests) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        for (String arg : template.trim().split("\\s+")) {
            command.add(arg.replace("{db}", db.toString()).replace("{layers}", Integer.toString(layers))
                    .replace("{requests}", Long.toString(requests)).replace("{threads}", Integer.toString(threads)));
        }
        return command;
    }

    /** Runs the peer; failures are recorded in the result, never thrown (the jxrp points still count). */
    Run run(Path db, int layers, int threads, long requests) throws InterruptedException {
        List<String> command = command(db, layers, threads, requests);
        String shown = String.join(" ", command);
        String out;
        Path log = null;
        try {
            // output to a file, so a peer that hangs cannot block us past the timeout
            log = Files.createTempFile("jxrp-peer", ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(shown, layers, threads, requests, null, "timed out after " + timeoutSeconds + " s");
            }
            out = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                return new Run(shown, layers, threads, requests, null, "exit status " + p.exitValue() + ": " + tail(out));
            }
        } catch (IOException e) {
            return new Run(shown, layers, threads, requests, null, "could not run: " + e.getMessage());
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    System.err.println("could not delete " + log + ": " + e.getMessage());
                }
            }
        }
        try {
            return new Run(shown, layers, threads, requests, PeerOutput.parse(out), null);
        } catch (IllegalArgumentException e) {
            return new Run(shown, layers, threads, requests, null, e.getMessage() + ": " + tail(out));
        }
    }

    private static String tail(String out) {
        String s = out.strip();
        return s.length() <= 300 ? s : "..." + s.substring(s.length() - 300);
    }
}
