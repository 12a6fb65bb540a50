package io.jxrp.engine;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian value layouts for the context record (shared by the context and the reactor). */
final class XrpContextLayouts {
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private XrpContextLayouts() {
    }
}
