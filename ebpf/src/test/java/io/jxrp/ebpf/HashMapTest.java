package io.jxrp.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HashMapTest extends MapContract {
    @Override
    MapType type() {
        return MapType.HASH;
    }

    @Override
    byte[] absentValue(int k) {
        return null;
    }

    @Override
    int modelUpdate(Map<Integer, Long> model, int k, long v, long flags) {
        boolean present = model.containsKey(k);
        if (flags == BpfMap.BPF_NOEXIST && present) {
            return BpfMap.EEXIST;
        }
        if (flags == BpfMap.BPF_EXIST && !present) {
            return BpfMap.ENOENT;
        }
        if (!present && model.size() == MAX) {
            return BpfMap.E2BIG;
        }
        model.put(k, v);
        return 0;
    }

    @Override
    int modelDelete(Map<Integer, Long> model, int k) {
        return model.remove(k) != null ? 0 : BpfMap.ENOENT;
    }

    @Test
    void concurrentUpdatesFromSeveralThreads() throws InterruptedException {
        BpfHashMap map = (BpfHashMap) BpfMap.create(MapType.HASH, "h", 4, 8, 1024);
        AtomicInteger failures = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int base = t * 256;
            threads[t] = new Thread(() -> {
                for (int round = 0; round < 50; round++) {
                    for (int i = 0; i < 256; i++) {
                        if (map.update(key(base + i), value(i), BpfMap.BPF_ANY) != 0) {
                            failures.incrementAndGet();
                        }
                    }
                    for (int i = 0; i < 256; i += 2) {
                        map.delete(key(base + i));
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, failures.get());
        assertEquals(4 * 128, map.size());
        assertEquals(4 * 128, map.keys().size());
    }
}
