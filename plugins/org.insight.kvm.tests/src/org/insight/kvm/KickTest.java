package org.insight.kvm;

import static org.insight.kvm.KvmTestSupport.requireKvm;
import static org.insight.kvm.LongModeFixture.CODE_GPA;
import static org.insight.kvm.LongModeFixture.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Another thread kicks a vCPU that spins in the guest. If kicking is broken, run() never returns: the
 * JUnit timeout (on its own daemon thread) then reports the failure.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KickTest {
    static final byte[] SPIN = { (byte) 0xeb, (byte) 0xfe }; // jmp $
    static final long KICK_AFTER_MILLIS = 50;

    @Test
    void kickFromAnotherThreadInterruptsASpinningGuest() throws Exception {
        requireKvm();
        try (LongModeFixture vm = new LongModeFixture()) {
            vm.load(SPIN);
            // twice: the second round shows the first kick was fully consumed (signal drained, immediate_exit
            // cleared), or run() would return at once
            for (int round = 1; round <= 2; round++) {
                Thread kicker = Thread.ofPlatform().name("kicker-" + round).start(() -> {
                    try {
                        Thread.sleep(KICK_AFTER_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    vm.vcpu.kick();
                });
                long start = System.nanoTime();
                Exit exit = vm.vcpu.run();
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                kicker.join();
                assertEquals(new Exit.Interrupted(), exit, "round " + round + ": " + describe(exit));
                assertTrue(elapsedMillis >= KICK_AFTER_MILLIS - 10,
                        "round " + round + ": run() returned after " + elapsedMillis + " ms, before the kick");
                assertEquals(CODE_GPA, vm.vcpu.regs().rip, "the guest was interrupted inside its loop");
            }
        }
    }

    @Test
    void kickBeforeRunMakesTheNextRunReturnAtOnce() {
        requireKvm();
        try (LongModeFixture vm = new LongModeFixture()) {
            vm.load(SPIN);
            vm.vcpu.kick();
            Exit exit = vm.vcpu.run();
            assertEquals(new Exit.Interrupted(), exit, describe(exit));
            assertEquals(CODE_GPA, vm.vcpu.regs().rip);
        }
    }
}
