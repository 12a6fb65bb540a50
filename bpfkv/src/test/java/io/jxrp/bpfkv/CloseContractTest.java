package io.jxrp.bpfkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jxrp.engine.EngineOptions;
import io.jxrp.engine.ForwardingIoQueue;
import io.jxrp.engine.backend.DeviceAddress;
import io.jxrp.engine.backend.DeviceInfo;
import io.jxrp.engine.backend.IoBackend;
import io.jxrp.engine.backend.IoQueue;
import io.jxrp.engine.backend.JavaBackend;
import io.jxrp.engine.backend.QueueSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * BpfKv's close contract, the engine's: close refuses new work with one exception
 * ({@link IllegalStateException} "database is closed"), finishes everything accepted within the drain
 * timeout, and fails what is left then with that same exception.
 */
@Timeout(120)
class CloseContractTest {

    private static void assertClosed(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        assertTrue(t instanceof IllegalStateException && BpfKv.CLOSED.equals(t.getMessage()), "not 'database is closed': " + e);
    }

    @ParameterizedTest
    @EnumSource(BpfKvOptions.Mode.class)
    void workAfterCloseIsRefusedWithOneExceptionAndMessage(BpfKvOptions.Mode mode) throws Exception {
        BpfKv db = BpfKv.open(Model.database(3), BpfKvOptions.defaults().withMode(mode));
        Iterator<KeyValue> open = db.range(100, 5000).iterator();
        assertEquals(100, open.next().key());
        db.close();
        db.close(); // idempotent
        assertTrue(db.isClosed());
        assertClosed(assertThrows(IllegalStateException.class, () -> db.get(5)));
        assertClosed(assertThrows(IllegalStateException.class, () -> db.getAll(5, 6)));
        assertClosed(assertThrows(IllegalStateException.class, () -> db.aggregate(KeyRange.of(0, 10))));
        assertClosed(assertThrows(IllegalStateException.class, () -> db.range(0, 10)));
        assertClosed(assertThrows(CompletionException.class, () -> db.getAsync(5).join()));
        assertClosed(assertThrows(CompletionException.class, () -> db.getAllAsync(5, 6).join()));
        assertClosed(assertThrows(CompletionException.class, () -> db.rangeAsync(KeyRange.of(0, 10)).join()));
        assertClosed(assertThrows(CompletionException.class, () -> db.aggregateAsync(KeyRange.of(0, 10)).join()));
        AtomicReference<Throwable> heard = new AtomicReference<>();
        db.getAsync(5, (value, failure) -> heard.set(failure));
        assertClosed(heard.get());
        // a stream opened before close: its next step is work after close
        assertClosed(assertThrows(IllegalStateException.class, () -> {
            while (open.hasNext()) {
                open.next();
            }
        }));
        assertEquals(3, db.layout().layers(), "plain accessors still answer");
    }

    @ParameterizedTest
    @EnumSource(BpfKvOptions.Mode.class)
    void everythingAcceptedBeforeCloseFinishes(BpfKvOptions.Mode mode) throws Exception {
        Model model = new Model(3);
        BpfKv db = BpfKv.open(Model.database(3), BpfKvOptions.defaults().withMode(mode));
        List<CompletableFuture<Optional<byte[]>>> lookups = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 400; i++) {
            long key = random.nextLong(model.keyCount);
            keys.add(key);
            lookups.add(db.getAsync(key));
        }
        CompletableFuture<Aggregate> aggregate = db.aggregateAsync(KeyRange.of(0, 20_000));
        CompletableFuture<List<KeyValue>> range = db.rangeAsync(KeyRange.of(1_000, 3_000));
        CountDownLatch callbacks = new CountDownLatch(50);
        List<Throwable> callbackFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            long key = i * 500L;
            db.getAsync(key, (value, failure) -> {
                if (failure != null || value.isEmpty() || !java.util.Arrays.equals(Model.value(key), value.get())) {
                    callbackFailures.add(failure != null ? failure : new AssertionError("wrong value for " + key));
                }
                callbacks.countDown();
            });
        }
        db.close(); // at once: every one of those was accepted
        for (int i = 0; i < lookups.size(); i++) {
            assertArrayEquals(Model.value(keys.get(i)), lookups.get(i).join().orElseThrow(), "lookup " + keys.get(i));
        }
        assertEquals(20_000, aggregate.join().count());
        assertEquals(2_000, range.join().size());
        assertTrue(callbacks.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(), callbackFailures);
    }

    /** A backend whose reads never complete once stalled: what is still running at the drain timeout fails as closed. */
    @ParameterizedTest
    @EnumSource(value = BpfKvOptions.Mode.class, names = "ENGINE")
    void whatOutlastsTheDrainTimeoutFailsAsClosed(BpfKvOptions.Mode mode) throws Exception {
        StallingBackend backend = new StallingBackend(new JavaBackend(2));
        BpfKvOptions options = BpfKvOptions.defaults().withMode(mode)
                .withEngine(EngineOptions.defaults().withDrainTimeoutMillis(300));
        BpfKv db = BpfKv.open(Model.database(3), options, backend);
        assertArrayEquals(Model.value(9), db.get(9).orElseThrow());
        backend.stalled = true;
        CompletableFuture<Optional<byte[]>> stuck = db.getAsync(10);
        long started = System.nanoTime();
        db.close();
        assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "close is bounded by the drain timeout");
        CompletionException e = assertThrows(CompletionException.class, stuck::join);
        assertClosed(e.getCause());
    }

    /** Wraps a backend; while {@code stalled}, completions are held back (the reads never end). */
    static final class StallingBackend implements IoBackend {
        private final IoBackend delegate;
        volatile boolean stalled;

        StallingBackend(IoBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return "stalling-" + delegate.name();
        }

        @Override
        public String refusal(DeviceAddress device) {
            return delegate.refusal(device);
        }

        @Override
        public DeviceInfo probe(DeviceAddress device) throws IOException {
            return delegate.probe(device);
        }

        @Override
        public IoQueue openQueue(QueueSpec spec) throws IOException {
            IoQueue queue = delegate.openQueue(spec);
            return new ForwardingIoQueue(queue) {
                @Override
                public int submitAndReap(int minComplete, long timeoutNanos) throws IOException {
                    if (stalled) {
                        queue.submitAndReap(0, 0); // submit, and keep what completes to ourselves
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return 0;
                    }
                    return queue.submitAndReap(minComplete, timeoutNanos);
                }
            };
        }
    }
}
