package io.jxrp.engine;

import static io.jxrp.engine.XrpContextDescriptor.CLEAR_FROM;
import static io.jxrp.engine.XrpContextDescriptor.CLEAR_TO;
import static io.jxrp.engine.XrpContextDescriptor.CUR_ADDR_OFFSET;
import static io.jxrp.engine.XrpContextDescriptor.DATA_OFFSET;
import static io.jxrp.engine.XrpContextDescriptor.DONE_OFFSET;
import static io.jxrp.engine.XrpContextDescriptor.NEXT_ADDR_OFFSET;
import static io.jxrp.engine.XrpContextDescriptor.SCRATCH_OFFSET;
import static io.jxrp.engine.XrpContextDescriptor.SIZE_OFFSET;
import static io.jxrp.engine.XrpContextDescriptor.SLOT_OFFSET;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The context a {@link StorageFunction} sees: an off-heap {@link XrpContextDescriptor} record plus
 * the block just read and the request's scratch page as segments. The record is the same bytes an
 * eBPF program gets as r1, so Java and eBPF functions share one ABI.
 *
 * <p>One context per reactor, reused for every invocation (functions run one at a time there).
 */
public final class XrpContext {
    private static final ValueLayout.OfLong U64 = XrpContextLayouts.U64;
    private static final ValueLayout.OfInt S32 = XrpContextLayouts.S32;

    private final MemorySegment record;
    /** done .. size[]: zeroed before every invocation (a slice made once, not per hop). */
    private final MemorySegment cleared;
    private MemorySegment data = MemorySegment.NULL;
    private MemorySegment scratch = MemorySegment.NULL;

    /** A context whose record lives in {@code arena} (the engine's reactors, {@link FunctionRunner}). */
    XrpContext(Arena arena) {
        this.record = arena.allocate(XrpContextDescriptor.ALLOCATED_LENGTH, 16);
        this.cleared = record.asSlice(CLEAR_FROM, CLEAR_TO - CLEAR_FROM);
    }

    /** The raw context record ({@link XrpContextDescriptor} layout), e.g. for an eBPF program's r1. */
    public MemorySegment record() {
        return record;
    }

    /** The block just read: exactly the bytes the function asked for, at {@link #curAddr()}. */
    public MemorySegment data() {
        return data;
    }

    /** The request's scratch page (4 KiB, or the size the request asked for); persists across hops. */
    public MemorySegment scratch() {
        return scratch;
    }

    /** Logical file offset of {@link #data()}. */
    public long curAddr() {
        return record.get(U64, CUR_ADDR_OFFSET);
    }

    /** Which next-read slot (of the previous hop, or of the request's first reads) produced {@link #data()}. */
    public int slot() {
        return record.get(S32, SLOT_OFFSET);
    }

    /** Finishes the request after this invocation. */
    public void setDone() {
        record.set(S32, DONE_OFFSET, 1);
    }

    public boolean isDone() {
        return record.get(S32, DONE_OFFSET) != 0;
    }

    /** Asks for a read of {@code sizeBytes} at logical offset {@code logicalAddr} in next-read slot {@code slot}. */
    public void setNext(int slot, long logicalAddr, long sizeBytes) {
        XrpContextDescriptor.checkSlot(slot);
        record.set(U64, NEXT_ADDR_OFFSET + (long) slot * Long.BYTES, logicalAddr);
        record.set(U64, SIZE_OFFSET + (long) slot * Long.BYTES, sizeBytes);
    }

    /** Shorthand for {@code setNext(0, logicalAddr, sizeBytes)}: XRP's single next read. */
    public void setNext(long logicalAddr, long sizeBytes) {
        setNext(0, logicalAddr, sizeBytes);
    }

    public long nextAddr(int slot) {
        return record.get(U64, NEXT_ADDR_OFFSET + (long) slot * Long.BYTES);
    }

    public long nextSize(int slot) {
        return record.get(U64, SIZE_OFFSET + (long) slot * Long.BYTES);
    }

    /**
     * Prepares the record for one invocation (the engine, or {@link FunctionRunner}). Clears
     * done/next_addr/size, records the
     * block's address, slot and the native addresses of data and scratch (eBPF adapters overwrite
     * data and scratch with their own virtual addresses).
     */
    void prepare(MemorySegment block, long logicalAddr, int slot, MemorySegment scratchPage) {
        this.data = block;
        this.scratch = scratchPage;
        cleared.fill((byte) 0);
        record.set(U64, DATA_OFFSET, block.address());
        record.set(U64, SCRATCH_OFFSET, scratchPage.address());
        record.set(U64, CUR_ADDR_OFFSET, logicalAddr);
        record.set(S32, SLOT_OFFSET, slot);
    }

    /** Drops the references after the invocation. */
    void release() {
        this.data = MemorySegment.NULL;
        this.scratch = MemorySegment.NULL;
    }
}
