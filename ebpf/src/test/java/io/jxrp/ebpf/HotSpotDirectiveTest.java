package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * The compiler directive for JIT classes reaches HotSpot's directive stack once, and names methods
 * this JDK has (a renamed JDK method would make it match nothing, silently).
 */
class HotSpotDirectiveTest {
    private static void assumeHotSpot() throws Exception {
        assumeTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(HotSpotDirective.MBEAN)),
                "compiler directives need HotSpot's diagnostic commands, absent in " + System.getProperty("java.vm.name"));
    }

    private static BpfProgram program() throws BpfLoadException {
        return BpfProgram.create("directive", Asm.assemble("mov r0, r1\nadd r0, 1\nexit"), List.of());
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void theFirstTranslationAddsTheDirectiveAndLaterOnesDoNot() throws Exception {
        assumeHotSpot();
        BpfMachine machine = new BpfMachine(ExecutionMode.JIT);
        assertEquals(42L, machine.run(program(), 41L));
        String expected = HotSpotDirective.hasC2(String.valueOf(HotSpotDirective.diagnosticCommand("vmFlags")))
                ? "added" : "added, C1 kept";
        assertEquals(expected, HotSpotDirective.ensureAdded());
        String stack = String.valueOf(HotSpotDirective.diagnosticCommand("compilerDirectivesPrint"));
        int before = occurrences(stack, HotSpotDirective.MATCH);
        assertTrue(before >= 1, "directive stack:\n" + stack);

        assertEquals(42L, machine.run(program(), 41L)); // a second program, a second hidden class
        assertEquals(expected, HotSpotDirective.ensureAdded());
        String after = String.valueOf(HotSpotDirective.diagnosticCommand("compilerDirectivesPrint"));
        assertEquals(before, occurrences(after, HotSpotDirective.MATCH), "directive stack:\n" + after);
    }

    @Test
    void everyForcedInlineNamesAMethodOfThisJdk() throws Exception {
        for (String entry : HotSpotDirective.FORCE_INLINE) {
            int dot = entry.lastIndexOf('.');
            Class<?> owner = Class.forName(entry.substring(0, dot).replace('/', '.'));
            Set<String> names = Arrays.stream(owner.getDeclaredMethods()).map(Method::getName).collect(Collectors.toSet());
            assertTrue(names.contains(entry.substring(dot + 1)), entry + " is not a method of " + owner);
        }
    }

    @Test
    void theDirectiveMatchesTheGeneratedClassesAndNothingElse() {
        for (boolean excludeC1 : new boolean[] {true, false}) {
            String json = HotSpotDirective.json(excludeC1);
            assertTrue(json.contains("match: \"io/jxrp/ebpf/JitProgram*.*\""), json);
            assertEquals(1, occurrences(json, "match:"), json);
            assertEquals(excludeC1, json.contains("c1: { Exclude: true }"), json);
            for (String entry : HotSpotDirective.FORCE_INLINE) {
                assertTrue(json.contains("\"+" + entry + "\""), json);
            }
        }
    }

    /** C1 stays where it is the only compiler: excluding it there would leave generated code interpreted. */
    @Test
    void c1IsExcludedOnlyWhereC2Compiles() {
        assertTrue(HotSpotDirective.hasC2("-XX:CICompilerCount=2 -XX:+UseG1GC -XX:+UseCompressedOops"));
        assertTrue(HotSpotDirective.hasC2("-XX:TieredStopAtLevel=4 -XX:-TieredCompilation"));
        assertTrue(HotSpotDirective.hasC2(""));
        assertFalse(HotSpotDirective.hasC2("-XX:CICompilerCount=1 -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"));
        assertFalse(HotSpotDirective.hasC2("-XX:TieredStopAtLevel=3"));
        assertFalse(HotSpotDirective.hasC2("-XX:CompilationMode=quick-only -XX:+UseG1GC"));
    }
}
