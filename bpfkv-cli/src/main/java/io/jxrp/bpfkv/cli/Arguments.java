package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.format.NodeDescriptor;
import io.jxrp.engine.TargetSpec;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of the values on a command line, done before a command does anything: a value out of range is
 * a usage error (exit 2) naming the option and the range, never a surprise later.
 */
final class Arguments {
    /** The largest key: keys are unsigned 64-bit numbers, 2^64-1 marks an unused slot. */
    static final String MAX_KEY = Long.toUnsignedString(NodeDescriptor.EMPTY_KEY - 1);

    private Arguments() {
    }

    /** {@code value} must be in {@code [min, max]}. */
    static void range(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), option + " must be " + min + ".." + max + ", not " + value);
        }
    }

    /** A key as typed: a decimal number 0 .. 2^64-2. */
    static long key(CommandSpec spec, String label, String text) {
        try {
            if (!text.isEmpty() && Character.isDigit(text.charAt(0))) {
                long key = Long.parseUnsignedLong(text);
                if (key != NodeDescriptor.EMPTY_KEY) {
                    return key;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), label + " '" + text + "' is not a key: keys are decimal numbers 0.."
                + MAX_KEY);
    }

    /**
     * {@code file} must not name an NVMe namespace ({@code spdk:...}): for the commands that work on a
     * database file only; {@code why} says what the namespace lacks.
     */
    static void fileNotNamespace(CommandSpec spec, java.nio.file.Path file, String why) {
        String text = file.toString();
        if (text.regionMatches(true, 0, TargetSpec.SPDK_PREFIX, 0, TargetSpec.SPDK_PREFIX.length())) {
            throw new ParameterException(spec.commandLine(), "'" + text + "' is a namespace: " + why);
        }
    }

    static CommandSpec spec(CommandLine commandLine) {
        return commandLine.getCommandSpec();
    }
}
