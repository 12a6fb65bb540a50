package io.jxrp.ebpf;

/**
 * An object or program was rejected at load time: malformed ELF or BTF, an unsupported feature,
 * a bad relocation or a verifier failure. The message says what and where.
 */
public final class BpfLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public BpfLoadException(String message) {
        super(message);
    }

    public BpfLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
