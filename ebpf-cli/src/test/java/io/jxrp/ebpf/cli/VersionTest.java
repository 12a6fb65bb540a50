package io.jxrp.ebpf.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jxrp.ebpf.Version;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** jxrp-bpf prints the jxrp version as every jxrp command does (bpfkv: "bpfkv (jxrp X)"). */
class VersionTest {
    @Test
    void theVersionLineNamesTheJxrpVersion() throws Exception {
        String[] version = new CommandLine(new JxrpBpf()).getCommandSpec().versionProvider().getVersion();
        assertArrayEquals(new String[] {"jxrp-bpf (jxrp " + Version.jxrp() + ")"}, version);
    }
}
