package io.jxrp.bench.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One measurement, handed to a fresh JVM ({@link PointRunner}) as a JSON file: which database, which
 * matrix point, how many lookups, and where the result and the latency histogram log go.
 *
 * @param target     what holds the database: its file, or an NVMe namespace ({@code spdk:...}) for spdk mode
 * @param point      the configuration (open loop when its target rate is set)
 * @param repetition 0-based repetition of the point
 * @param run        0-based position in the run's sequence
 * @param requests   measured lookups
 * @param warmup     unmeasured lookups first (JIT, caches, the engine's idle poll)
 * @param seed       key sequence seed of this repetition
 * @param digest     engine digest, {@code identity} or {@code fiemap}
 * @param result     where the child writes its result (JSON)
 * @param histogram  where the child writes its latency histogram (HdrHistogram log, {@code .hlog})
 */
record RunSpec(String target, MatrixPoint point, int repetition, int run, long requests, long warmup, long seed,
               String digest, Path result, Path histogram) {

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("mode", point.mode().cliName);
        m.put("function", point.function());
        m.put("layers", point.layers());
        m.put("threads", point.threads());
        m.put("inflight", point.inflight());
        m.put("cache_levels", point.cacheLevels());
        m.put("target_rate", point.targetRate());
        m.put("repetition", repetition);
        m.put("run", run);
        m.put("requests", requests);
        m.put("warmup", warmup);
        m.put("seed", seed);
        m.put("digest", digest);
        m.put("result", result.toString());
        m.put("histogram", histogram.toString());
        return m;
    }

    static RunSpec read(Path file) throws IOException {
        JsonNode n = Json.read(file);
        MatrixPoint point = new MatrixPoint(BenchMode.parse(n.get("mode").asString()), n.get("function").asString(),
                n.get("layers").asInt(), n.get("threads").asInt(), n.get("inflight").asInt(), n.get("cache_levels").asInt(),
                n.get("target_rate").asDouble());
        return new RunSpec(n.get("target").asString(), point, n.get("repetition").asInt(), n.get("run").asInt(),
                n.get("requests").asLong(), n.get("warmup").asLong(), n.get("seed").asLong(), n.get("digest").asString(),
                Path.of(n.get("result").asString()), Path.of(n.get("histogram").asString()));
    }
}
