package io.jxrp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IdleSpinTest {
    private static final long MAX = 50_000;

    @Test
    void pollsThatCatchWorkKeepTheBudget() {
        IdleSpin spin = new IdleSpin(MAX);
        for (int i = 0; i < 100; i++) {
            spin.polled(true);
        }
        assertEquals(MAX, spin.budgetNanos());
    }

    @Test
    void emptyPollsHalveItToNothing() {
        IdleSpin spin = new IdleSpin(MAX);
        long[] expected = {25_000, 12_500, 6_250, 3_125, 0, 0};
        for (long e : expected) {
            spin.polled(false);
            assertEquals(e, spin.budgetNanos());
        }
    }

    @Test
    void aRequestAPollWouldHaveCaughtSetsTheBudgetToTwiceItsGap() {
        IdleSpin spin = new IdleSpin(MAX);
        for (int i = 0; i < 10; i++) {
            spin.polled(false);
        }
        spin.arrivedAfter(2 * MAX); // a full poll would not have caught it
        assertEquals(0, spin.budgetNanos());
        spin.arrivedAfter(10_000);
        assertEquals(20_000, spin.budgetNanos());
        spin.arrivedAfter(100);
        assertEquals(MAX / 8, spin.budgetNanos(), "at least an eighth of the maximum");
        spin.arrivedAfter(40_000);
        assertEquals(MAX, spin.budgetNanos(), "never above the maximum");
        spin.arrivedAfter(-5); // a submission stamped just before the reactor fell idle
        assertEquals(MAX / 8, spin.budgetNanos());
    }

    @Test
    void zeroNeverPolls() {
        IdleSpin spin = new IdleSpin(0);
        spin.arrivedAfter(0);
        assertEquals(0, spin.budgetNanos());
        assertThrows(IllegalArgumentException.class, () -> new IdleSpin(-1));
    }
}
