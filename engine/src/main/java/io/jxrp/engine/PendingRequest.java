package io.jxrp.engine;

import java.lang.foreign.MemorySegment;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A request accepted by the engine: waiting in a reactor's queue, then running in a {@link RequestSlot}. */
final class PendingRequest<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PendingRequest.class);

    final XrpRequest<T> request;
    final Target target;
    final BiConsumer<? super XrpResult<T>, ? super Throwable> callback;
    final long startNanos;

    PendingRequest(XrpRequest<T> request, Target target, BiConsumer<? super XrpResult<T>, ? super Throwable> callback,
                   long startNanos) {
        this.request = request;
        this.target = target;
        this.callback = callback;
        this.startNanos = startNanos;
    }

    void finish(Outcome outcome, MemorySegment scratch, int hops, long detail, long endNanos, Throwable failure) {
        T value;
        try {
            value = request.reader().read(scratch);
        } catch (RuntimeException | Error e) {
            fail(e);
            return;
        }
        deliver(new XrpResult<>(outcome, value, hops, detail, endNanos - startNanos, failure), null);
    }

    void fail(Throwable failure) {
        deliver(null, failure);
    }

    private void deliver(XrpResult<T> result, Throwable failure) {
        target.active.decrementAndGet();
        try {
            callback.accept(result, failure);
        } catch (RuntimeException | Error e) { // the caller's bug must not stop the reactor
            LOG.warn("a request's completion callback threw; ignored", e);
        }
    }
}
