package io.jxrp.bpfkv.cli;

import io.jxrp.bpfkv.format.NodeDescriptor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A KEY on the command line: an unsigned 64-bit decimal number, 0 .. 18446744073709551614
 * (2^64 - 1 marks unused slots and is never a key). Negative numbers are refused, not wrapped.
 */
final class UnsignedKey implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
        long key;
        try {
            key = Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a key: keys are unsigned 64-bit decimal numbers, "
                    + "0..18446744073709551614");
        }
        String problem = NodeDescriptor.checkKey(key);
        if (problem != null) {
            throw new TypeConversionException(problem);
        }
        return key;
    }
}
