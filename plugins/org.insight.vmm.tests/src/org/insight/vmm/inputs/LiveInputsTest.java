package org.insight.vmm.inputs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveInputsTest {
	private static LiveInputs live(StdinSource stdin) throws IOException {
		return new LiveInputs(stdin, new RoundRobin(Duration.ofMillis(10)));
	}

	@Test
	void clocksComeFromTheHost() throws IOException {
		try (LiveInputs in = live(StdinSource.empty())) {
			long before = System.nanoTime();
			long mono = in.clockNanos(new ClockRead(1000, ClockRead.CLOCK_MONOTONIC, ClockRead.Purpose.SYSCALL));
			long after = System.nanoTime();
			assertTrue(before <= mono && mono <= after, "CLOCK_MONOTONIC is the host's");
			long real = in.clockNanos(new ClockRead(1000, ClockRead.CLOCK_REALTIME, ClockRead.Purpose.SYSCALL));
			long host = Instant.now().toEpochMilli() * 1_000_000L;
			assertTrue(Math.abs(host - real) < 5_000_000_000L, "CLOCK_REALTIME within 5 s of the host's: " + real);
			long tai = in.clockNanos(new ClockRead(1000, ClockRead.CLOCK_TAI, ClockRead.Purpose.SYSCALL));
			assertTrue(tai - real >= 36_000_000_000L, "TAI is 37 s ahead");
			assertTrue(in.clockNanos(new ClockRead(1000, ClockRead.CLOCK_THREAD_CPUTIME_ID,
					ClockRead.Purpose.SYSCALL)) > 0);
			assertThrows(IllegalArgumentException.class,
					() -> in.clockNanos(new ClockRead(1000, 10, ClockRead.Purpose.SYSCALL)));
		}
	}

	@Test
	void randomBytesHaveTheAskedLength() throws IOException {
		try (LiveInputs in = live(StdinSource.empty())) {
			byte[] a = in.random(new RandomRequest(1000, 32, RandomRequest.Purpose.GETRANDOM));
			byte[] b = in.random(new RandomRequest(1000, 32, RandomRequest.Purpose.GETRANDOM));
			assertEquals(32, a.length);
			assertTrue(!Arrays.equals(a, b), "two draws of 32 bytes differ");
			assertEquals(0, in.random(new RandomRequest(1000, 0, RandomRequest.Purpose.GETRANDOM)).length);
		}
	}

	@Test
	void stdinIsReadInPiecesUntilItsEnd(@TempDir Path dir) throws IOException {
		Path file = dir.resolve("in.txt");
		Files.writeString(file, "hello guest");
		try (LiveInputs in = live(StdinSource.file(file))) {
			byte[] buf = new byte[64];
			assertEquals(5, in.readStdin(new StdinRead(1000, 5), buf));
			assertEquals("hello", new String(buf, 0, 5, StandardCharsets.US_ASCII));
			assertEquals(6, in.readStdin(new StdinRead(1000, 64), buf));
			assertEquals(0, in.readStdin(new StdinRead(1000, 64), buf), "end of input");
			assertTrue(in.stdinFailure().isEmpty());
		}
		try (LiveInputs in = live(StdinSource.of(new byte[] { 1, 2, 3 }))) {
			byte[] buf = new byte[8];
			assertEquals(3, in.readStdin(new StdinRead(1000, 8), buf));
			assertArrayEquals(new byte[] { 1, 2, 3 }, Arrays.copyOf(buf, 3));
		}
		try (LiveInputs in = live(StdinSource.empty())) {
			assertEquals(0, in.readStdin(new StdinRead(1000, 8), new byte[8]));
		}
	}

	@Test
	void schedulingGoesToThePolicyAndIdlingWaitsAtMostAShortWhile() throws IOException {
		try (LiveInputs in = live(StdinSource.empty())) {
			SyncPoint p = new SyncPoint(1000, 0, SyncPoint.Kind.BLOCKED, 202, new long[6]);
			assertEquals(1001, in.schedule(p, List.of(1001, 1002)));
			long t0 = System.nanoTime();
			in.idle(new IdleWait(1000, System.nanoTime() + 20_000_000L));
			long waited = System.nanoTime() - t0;
			assertTrue(waited >= 15_000_000L && waited < 2_000_000_000L, "idled " + waited + " ns for a 20 ms wait");
			t0 = System.nanoTime();
			in.idle(new IdleWait(1000, System.nanoTime() + 60_000_000_000L));
			assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a long wait returns early so stops are seen");
		}
	}
}
