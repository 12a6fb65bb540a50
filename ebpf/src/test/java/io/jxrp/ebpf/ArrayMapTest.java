package io.jxrp.ebpf;

import java.util.Map;

class ArrayMapTest extends MapContract {
    @Override
    MapType type() {
        return MapType.ARRAY;
    }

    @Override
    byte[] absentValue(int k) {
        return k < MAX ? new byte[8] : null;
    }

    @Override
    int modelUpdate(Map<Integer, Long> model, int k, long v, long flags) {
        if (k >= MAX) {
            return BpfMap.E2BIG;
        }
        if (flags == BpfMap.BPF_NOEXIST) {
            return BpfMap.EEXIST;
        }
        model.put(k, v);
        return 0;
    }

    @Override
    int modelDelete(Map<Integer, Long> model, int k) {
        return BpfMap.EINVAL;
    }
}
