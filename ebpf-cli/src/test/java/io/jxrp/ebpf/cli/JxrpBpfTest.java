package io.jxrp.ebpf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JxrpBpfTest {
    record Result(int exit, String out, String err) {}

    private static synchronized Result execute(String stdin, String... args) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = JxrpBpf.execute(args);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    // mov r0, 0x2a; exit — spaced the way the conformance runner writes bytes.
    private static final String MOV_42 = "b7  00  00  00  2a  00  00  00  95  00  00  00  00  00  00  00\n";
    // ldxb r0, [r1+2]; add r0, r2; exit
    private static final String LOAD_BYTE = "71 10 02 00 00 00 00 00 0f 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00";

    @Test
    void pluginProtocolAsTheConformanceRunnerCallsIt() {
        for (String mode : new String[] {"--interp", "--jit", ""}) {
            Result r = execute(MOV_42, "", mode);
            assertEquals(0, r.exit(), r.err());
            assertEquals("2a", r.out().trim());
            r = execute(LOAD_BYTE, "00  11  22  33", mode);
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals(Long.toHexString(0x22 + 4), r.out().trim());
        }
        Result explicit = execute(MOV_42, "plugin", "--interp", "");
        assertEquals("2a", explicit.out().trim());
    }

    @Test
    void pluginFailuresExitNonZeroWithAMessage() {
        Result bad = execute("ff 00 00 00 00 00 00 00", "");
        assertEquals(1, bad.exit());
        assertTrue(bad.out().contains("invalid opcode"), bad.out());
        Result fault = execute(LOAD_BYTE, "00", "--jit");
        assertEquals(1, fault.exit());
        assertTrue(fault.out().contains("fault at pc 0"), fault.out());
        Result notHex = execute("zz", "");
        assertEquals(JxrpBpf.EXIT_USAGE, notHex.exit(), "bad hex is the caller's mistake, not the program's");
        assertTrue(notHex.out().contains("not hex: 'zz'"), notHex.out());
    }

    /** The campaign's traces and hangs (issue 15): every one is now one line on stderr and a documented exit code. */
    @Test
    void errorsAreOneLineWithADocumentedExitCode(@TempDir Path tmp) throws Exception {
        Path notHex = tmp.resolve("not.hex");
        Files.writeString(notHex, "95 00 zz 00");
        Path odd = tmp.resolve("odd.hex");
        Files.writeString(odd, "95 0");
        Path prog = tmp.resolve("prog.hex");
        Files.writeString(prog, MOV_42);
        Object[][] cases = {
            {JxrpBpf.EXIT_USAGE, new String[] {}, "name a command"},
            {JxrpBpf.EXIT_USAGE, new String[] {"verify", "--hex", notHex.toString()}, "not hex: 'zz'"},
            {JxrpBpf.EXIT_USAGE, new String[] {"verify", "--hex", odd.toString()}, "odd number of hex digits in '0'"},
            {JxrpBpf.EXIT_USAGE, new String[] {"run", "--hex", "--memory-hex", "zz", prog.toString()}, "--memory-hex: not hex"},
            {JxrpBpf.EXIT_USAGE, new String[] {"run", "--hex", "--budget", "0", prog.toString()}, "--budget must be 1.."},
            {JxrpBpf.EXIT_USAGE, new String[] {"run", "--hex", "--budget", "-1", prog.toString()}, "--budget must be 1.."},
            {JxrpBpf.EXIT_USAGE, new String[] {"run", "--hex", "--repeat", "0", prog.toString()}, "--repeat must be 1.."},
            {JxrpBpf.EXIT_USAGE, new String[] {"plugin", "--budget", "0", ""}, "--budget must be 1.."},
            {JxrpBpf.EXIT_IO, new String[] {"verify", tmp.resolve("missing.o").toString()}, "missing.o: no such file"},
            {JxrpBpf.EXIT_IO, new String[] {"verify", tmp.toString()}, "is a directory"},
            {JxrpBpf.EXIT_IO, new String[] {"disasm", tmp.resolve("missing.o").toString()}, "no such file"},
            {JxrpBpf.EXIT_IO, new String[] {"btf", tmp.resolve("missing.o").toString()}, "no such file"},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[1];
            Result r = execute("", args);
            String line = r.err().strip();
            assertEquals(c[0], r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(line.contains((String) c[2]), String.join(" ", args) + ": " + line);
            assertEquals(-1, line.indexOf('\n'), "one line: " + line);
        }
        Path zero = Path.of("/dev/zero");
        if (Files.isReadable(zero)) { // bounded: no OutOfMemoryError, no hang
            Result r = execute("", "verify", zero.toString());
            assertEquals(JxrpBpf.EXIT_IO, r.exit(), r.err());
            assertTrue(r.err().contains("more than 64 MiB"), r.err());
        }
    }

    @Test
    void verifyDisasmAndRunAnObject(@TempDir Path tmp) throws Exception {
        Path object = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf")).resolve("calls.o");
        io.jxrp.testing.Requirements.requireBpfObject(object);
        Result v = execute("", "verify", object.toString());
        assertEquals(0, v.exit(), v.err());
        assertTrue(v.out().contains("program checksum"), v.out());
        Result d = execute("", "disasm", object.toString());
        assertTrue(d.out().contains("call pc"), d.out());
        Path memory = tmp.resolve("blob");
        byte[] blob = new byte[132];
        Files.write(memory, blob);
        Result run = execute("", "run", "--interp", "-m", memory.toString(), object.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().startsWith("r0 = 0x7 (7)"), run.out());
    }

    @Test
    void runReportsFaultsAndRejections(@TempDir Path tmp) throws Exception {
        Path prog = tmp.resolve("prog.hex");
        Files.writeString(prog, LOAD_BYTE);
        Result fault = execute("", "run", "--hex", prog.toString());
        assertEquals(JxrpBpf.EXIT_FAULT, fault.exit());
        assertTrue(fault.err().contains("unmapped"), fault.err());
        Result ok = execute("", "run", "--hex", "--memory-hex", "01 02 03", prog.toString());
        assertTrue(ok.out().startsWith("r0 = 0x6"), ok.out());
        Files.writeString(prog, "95 00 00 00 00 00 00");
        Result rejected = execute("", "verify", "--hex", prog.toString());
        assertEquals(JxrpBpf.EXIT_REJECTED, rejected.exit());
        assertTrue(rejected.err().contains("not a multiple of 8"), rejected.err());
    }

    @Test
    void runsAStorageFunctionOverAnXrpContext(@TempDir Path tmp) throws Exception {
        Path object = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf")).resolve("xrp_walk.o");
        io.jxrp.testing.Requirements.requireBpfObject(object);
        Path block = tmp.resolve("block");
        byte[] data = new byte[512];
        java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(4096).putLong(9);
        Files.write(block, data);
        Result r = execute("", "run", "--xrp", "--data", block.toString(), "--dump", object.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("done: 0"), r.out());
        assertTrue(r.out().contains("next_addr[0] = 4096, size[0] = 512"), r.out());
        assertTrue(r.out().contains("09 00 00 00 00 00 00 00 01 00"), r.out()); // scratch: sum 9, hops 1
    }

    @Test
    void btfPrintsLayoutsAsPaholeDoes() {
        Path object = Path.of(System.getProperty("jxrp.bpf.objects", "target/bpf")).resolve("layouts.o");
        io.jxrp.testing.Requirements.requireBpfObject(object);
        Result one = execute("", "btf", object.toString(), "inner");
        assertEquals(0, one.exit(), one.err());
        assertEquals("""
                struct inner {
                	__u16                      a;                    /*     0     2 */
                	/* XXX 6 bytes hole, try to pack */
                	__u64                      b;                    /*     8     8 */

                	/* size: 16, cachelines: 1, members: 2 */
                	/* sum members: 10, holes: 1, sum holes: 6 */
                	/* last cacheline: 16 bytes */
                };
                """, one.out());
        Result all = execute("", "btf", object.toString());
        assertEquals(0, all.exit(), all.err());
        for (String type : new String[] {"struct bpf_xrp {", "struct query {", "struct bits {", "union either {"}) {
            assertTrue(all.out().contains(type), type + " in\n" + all.out());
        }
        Result missing = execute("", "btf", object.toString(), "nope");
        assertEquals(JxrpBpf.EXIT_USAGE, missing.exit(), "a type the object lacks is a usage error");
        assertTrue(missing.err().contains("no struct or union 'nope'"), missing.err());
    }
}
