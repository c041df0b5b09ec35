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
	void aGuestRunLongerThanThePeriodIsKickedOnce() throws InterruptedException {
		AtomicLong since = new AtomicLong(System.nanoTime());
		CountDownLatch kicked = new CountDownLatch(1);
		try (Watchdog w = new Watchdog(Duration.ofMillis(5), since::get, kicked::countDown).start()) {
			assertTrue(kicked.await(5, TimeUnit.SECONDS));
			Thread.sleep(50);
			assertEquals(1, w.kicks(), "one kick per guest run, however long it goes on");
			since.set(System.nanoTime());
			Thread.sleep(100);
			assertEquals(2, w.kicks(), "the next run is kicked again");
		}
	}

	@Test
	void shortGuestRunsAreLeftAlone() throws InterruptedException {
		AtomicLong since = new AtomicLong();
		AtomicLong kicks = new AtomicLong();
		Watchdog w = new Watchdog(Duration.ofMillis(20), since::get, kicks::incrementAndGet).start();
		long end = System.nanoTime() + 200_000_000L;
		// A loaded host can stall this thread past the period: the watchdog is then right to kick, at most once per
		// stall (one kick per guest run). Runs that really were short are never kicked.
		long stalls = 0;
		long last = System.nanoTime();
		while (last < end) {
			since.set(last); // an exit every millisecond
			Thread.sleep(1);
			long now = System.nanoTime();
			if (now - last >= 15_000_000L) {
				stalls++;
			}
			last = now;
		}
		w.close();
		assertTrue(kicks.get() <= stalls, kicks.get() + " kicks, " + stalls + " stalls of this thread");
	}

	@Test
	void theVmmsOwnWorkIsNeverInterrupted() throws InterruptedException {
		AtomicLong kicks = new AtomicLong();
		try (Watchdog w = new Watchdog(Duration.ofMillis(5), () -> 0, kicks::incrementAndGet).start()) {
			Thread.sleep(100);
		}
		assertEquals(0, kicks.get(), "0: the VMM is handling an exit (a slow syscall, an idle wait)");
	}

	@Test
	void thePeriodMustBePositive() {
		assertThrows(IllegalArgumentException.class, () -> new Watchdog(Duration.ZERO, () -> 0, () -> {
		}));
	}
}
