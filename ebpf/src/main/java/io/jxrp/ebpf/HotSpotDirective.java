package io.jxrp.ebpf;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A HotSpot compiler directive for the JIT's generated classes, added once per JVM before the first
 * translation (the {@code Compiler.directives_add} diagnostic command, through the platform MBean
 * server). It matches only methods of {@link JitCompiler#CLASS_NAME} and does two things:
 *
 * <ul>
 *   <li><b>No C1.</b> C1 cannot compile the larger generated methods ("out of virtual registers",
 *       "too many stack slots used"), and where it compiles one at tier 2 but fails at tier 3, the
 *       tiered policy can leave the method in tier-2 code for the rest of the run: a JVM whose BPF-KV
 *       lookups cost twice as much. Excluded from C1, every generated method is profiled in the
 *       JVM's interpreter and then compiled by C2 with that profile. Not where the JVM has no C2
 *       ({@code -XX:TieredStopAtLevel} below 4, {@code -XX:CompilationMode=quick-only}): there C1
 *       is the only compiler, and excluding it would leave the generated code interpreted.
 *   <li><b>The segment access chain inlined whatever the JDK's own profile says.</b> Every non-byte
 *       {@code MemorySegment} access ends in {@code Unsafe.getLongUnaligned(Object, long, boolean)}
 *       (and its int, short and put siblings), the one frame of the chain without
 *       {@code @ForceInline}. C2 inlines it only if {@code ScopedMemoryAccess}'s profile at that
 *       call is mature when our method compiles, which depends on what else the JVM ran; when it
 *       is not ("low call site frequency"), all 32 key loads of a leaf scan became calls and a hop
 *       took 240 ns instead of 105.
 * </ul>
 *
 * Both were seen with {@code -XX:+LogCompilation} in FunctionBench forks and harness JVMs (ebpf
 * README, Speed). Without the directive the generated code is the same and runs the same; only its
 * speed varies between JVMs. It is not added with {@code -Djxrp.jit.hotspotDirective=false}, and
 * where it cannot be added (a JVM without HotSpot's diagnostic commands, the directive stack full)
 * translation goes on without it and says so once in the log. The module requires
 * {@code java.management} (in every Java SE image) rather than {@code requires static}: on the
 * module path a static requirement is not resolved unless something else asks for it, and the
 * directive would silently never be added.
 */
final class HotSpotDirective {
    private HotSpotDirective() {}

    /** System property that turns the directive off ({@code false}). */
    static final String PROPERTY = "jxrp.jit.hotspotDirective";

    /** HotSpot method pattern of every method of every generated class. */
    static final String MATCH = JitCompiler.CLASS_NAME.replace('.', '/') + "*.*";

    /** The frames of the segment access chain that have no {@code @ForceInline}. */
    static final String[] FORCE_INLINE = {
        "jdk/internal/misc/Unsafe.getLongUnaligned", "jdk/internal/misc/Unsafe.getIntUnaligned",
        "jdk/internal/misc/Unsafe.getShortUnaligned", "jdk/internal/misc/Unsafe.putLongUnaligned",
        "jdk/internal/misc/Unsafe.putIntUnaligned", "jdk/internal/misc/Unsafe.putShortUnaligned",
        "jdk/internal/misc/Unsafe.convEndian",
    };

    /** The MBean through which HotSpot runs diagnostic commands. */
    static final String MBEAN = "com.sun.management:type=DiagnosticCommand";

    private static final Logger LOG = LoggerFactory.getLogger(HotSpotDirective.class);
    private static final String SUCCESS = "1 compiler directives added";
    private static volatile String outcome;

    /** The directive, in HotSpot's directive file syntax; C1 excluded only if {@code excludeC1}. */
    static String json(boolean excludeC1) {
        StringBuilder inline = new StringBuilder();
        for (String m : FORCE_INLINE) {
            inline.append(inline.isEmpty() ? "" : ", ").append("\"+").append(m).append('"');
        }
        return "[{\n  match: \"" + MATCH + "\",\n" + (excludeC1 ? "  c1: { Exclude: true },\n" : "")
                + "  c2: { inline: [" + inline + "] }\n}]\n";
    }

    /**
     * Whether C2 compiles at all, from the JVM's non-default flags as {@code VM.flags} prints them:
     * not with {@code -XX:TieredStopAtLevel} below 4 or {@code -XX:CompilationMode=quick-only}.
     */
    static boolean hasC2(String vmFlags) {
        java.util.regex.Matcher level = java.util.regex.Pattern.compile("-XX:TieredStopAtLevel=(\\d+)").matcher(vmFlags);
        if (level.find() && Integer.parseInt(level.group(1)) < 4) {
            return false;
        }
        return !vmFlags.contains("-XX:CompilationMode=quick-only");
    }

    /**
     * Adds the directive unless it was added (or tried) before; returns what happened: "added",
     * "added, C1 kept" (a JVM without C2), "disabled", or why it could not be added.
     */
    static String ensureAdded() {
        String o = outcome;
        if (o == null) {
            synchronized (HotSpotDirective.class) {
                o = outcome;
                if (o == null) {
                    outcome = o = add();
                }
            }
        }
        return o;
    }

    private static String add() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
            LOG.debug("HotSpot compiler directive for JIT classes not added: -D{}=false", PROPERTY);
            return "disabled";
        }
        Path file = null;
        try {
            boolean excludeC1 = hasC2(String.valueOf(diagnosticCommand("vmFlags")));
            file = Files.createTempFile("jxrp-jit-directive", ".json");
            Files.writeString(file, json(excludeC1));
            Object out = diagnosticCommand("compilerDirectivesAdd", file.toString());
            if (String.valueOf(out).contains(SUCCESS)) {
                LOG.debug("HotSpot compiler directive for {} added{}", MATCH, excludeC1 ? "" : " (C1 kept: no C2 in this JVM)");
                return excludeC1 ? "added" : "added, C1 kept";
            }
            return notAdded("the JVM answered: " + String.valueOf(out).strip());
        } catch (Exception | LinkageError e) {
            return notAdded(e.toString());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    private static String notAdded(String why) {
        LOG.info("HotSpot compiler directive for JIT classes not added ({}); eBPF JIT speed may vary between JVMs", why);
        return "not added: " + why;
    }

    /** Runs a HotSpot diagnostic command (its MBean operation name) with arguments; returns its output. */
    static Object diagnosticCommand(String operation, String... args) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName(MBEAN), operation,
                new Object[] {args}, new String[] {String[].class.getName()});
    }
}
