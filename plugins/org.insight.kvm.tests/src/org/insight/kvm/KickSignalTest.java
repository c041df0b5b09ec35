package org.insight.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The signal plumbing of a kick without KVM: blocking in the vCPU thread, the mask KVM_RUN would get,
 * queuing by tgkill, consumption by sigtimedwait, and the SIG_IGN safety net for stray kicks.
 */
class KickSignalTest {

    @Test
    void claimIgnoresTheSignalProcessWide() {
        KickSignal.claim();
        KickSignal.claim();
        assertEquals(Libc.SIG_IGN, KickSignal.disposition());
    }

    @Test
    void kicksToABlockingThreadStayPendingUntilDrained() throws Exception {
        KickSignal.claim();
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CountDownLatch sent = new CountDownLatch(1);
        AtomicReference<byte[]> kvmMask = new AtomicReference<>();
        AtomicReference<int[]> drained = new AtomicReference<>();
        AtomicReference<Boolean> blocked = new AtomicReference<>();
        Thread vcpuThread = new Thread(() -> {
            kvmMask.set(KickSignal.blockInCurrentThread());
            blocked.set(KickSignal.blockedInCurrentThread());
            tid.complete(Libc.gettid());
            try {
                sent.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int first = KickSignal.drain();
            int second = KickSignal.drain();
            drained.set(new int[] { first, second });
        }, "fake-vcpu");
        vcpuThread.start();
        int target = tid.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            assertTrue(KickSignal.send(target));
        }
        sent.countDown();
        vcpuThread.join(10_000);

        assertTrue(blocked.get(), "the vCPU thread must block the kick signal");
        byte[] mask = kvmMask.get();
        assertEquals(KvmStructs.KERNEL_SIGSET_SIZE, mask.length);
        int bit = KickSignal.NUMBER - 1;
        assertEquals(0, mask[bit / 8] & (1 << bit % 8), "KVM_RUN's mask must let the kick signal through");
        assertEquals(3, drained.get()[0], "each real-time kick queues once and is consumed by sigtimedwait");
        assertEquals(0, drained.get()[1], "nothing is left after draining");
    }

    @Test
    void aStrayKickToAThreadThatDoesNotBlockItIsDropped() throws Exception {
        KickSignal.claim();
        assertEquals(Libc.SIG_IGN, KickSignal.disposition(), "without SIG_IGN this test would terminate the JVM");
        CompletableFuture<Integer> tid = new CompletableFuture<>();
        CountDownLatch sent = new CountDownLatch(1);
        AtomicReference<int[]> result = new AtomicReference<>();
        Thread other = new Thread(() -> {
            // a thread inherits its creator's mask, and this test's thread may have bound a vCPU before
            KickSignal.unblockInCurrentThread();
            boolean wasBlocked = KickSignal.blockedInCurrentThread();
            tid.complete(Libc.gettid());
            try {
                sent.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            KickSignal.blockInCurrentThread();
            result.set(new int[] { wasBlocked ? 1 : 0, KickSignal.drain() });
        }, "not-a-vcpu");
        other.start();
        assertTrue(KickSignal.send(tid.get(10, TimeUnit.SECONDS)));
        sent.countDown();
        other.join(10_000);
        assertEquals(0, result.get()[0], "the thread no longer blocks the kick signal");
        assertEquals(0, result.get()[1], "an ignored, unblocked kick is discarded, not left pending");
    }

    @Test
    void aKickForAThreadThatNoLongerExistsReportsIt() {
        assertFalse(KickSignal.send(0x3fffffff), "tid above any pid_max: ESRCH");
    }
}
