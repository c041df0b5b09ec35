package org.insight.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class WatchdogTest {
	@Test
	void aGuestThatMakesNoProgressIsKicked() throws InterruptedException {
		AtomicLong progress = new AtomicLong();
		CountDownLatch kicked = new CountDownLatch(3);
		try (Watchdog w = new Watchdog(Duration.ofMillis(5), progress::get, kicked::countDown).start()) {
			assertTrue(kicked.await(5, TimeUnit.SECONDS), "three kicks within 5 s of 5 ms periods");
			assertTrue(w.kicks() >= 3);
		}
	}

	@Test
	void aGuestThatMakesProgressIsLeftAlone() throws InterruptedException {
		AtomicLong progress = new AtomicLong();
		AtomicLong kicks = new AtomicLong();
		Watchdog w = new Watchdog(Duration.ofMillis(20), progress::get, kicks::incrementAndGet).start();
		long end = System.nanoTime() + 200_000_000L;
		while (System.nanoTime() < end) {
			progress.incrementAndGet();
			Thread.sleep(1);
		}
		w.close();
		assertEquals(0, kicks.get());
		long after = kicks.get();
		Thread.sleep(50);
		assertEquals(after, kicks.get(), "no kick after close");
	}

	@Test
	void thePeriodMustBePositive() {
		assertThrows(IllegalArgumentException.class, () -> new Watchdog(Duration.ZERO, () -> 0, () -> {
		}));
	}
}
