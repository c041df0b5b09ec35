package org.insight.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.insight.testsupport.KvmRequirement;
import org.junit.jupiter.api.Test;

/** The exit floor that {@code insight bench} prints: both loops take exactly the exits they are asked for. */
class RoundTripProbeTest {
	@Test
	void theLoopsAreTheInstructionsTheirCommentSays() {
		// mov ebx, 0x01020304 ; L: out 0xf0, al ; dec ebx ; jnz L ; int3
		assertArrayEquals(new byte[] { (byte) 0xBB, 4, 3, 2, 1, (byte) 0xE6, (byte) 0xF0, (byte) 0xFF, (byte) 0xCB, 0x75,
				(byte) 0xFA, (byte) 0xCC }, RoundTripProbe.code(0x01020304, false));
		// the same with syscall (0f 05) in place of the out: the same length, so the same jnz
		byte[] syscall = RoundTripProbe.code(7, true);
		assertEquals(0x0F, syscall[5]);
		assertEquals(0x05, syscall[6]);
		assertThrows(IllegalArgumentException.class, () -> RoundTripProbe.measure(0));
	}

	@Test
	void eachLoopTakesTheRoundTripsAskedFor() throws Exception {
		KvmRequirement.require();
		// on its own platform thread: the probe binds the thread it runs on as a vCPU thread
		RoundTripProbe.Result[] r = new RoundTripProbe.Result[1];
		Throwable[] failed = new Throwable[1];
		Thread t = Thread.ofPlatform().start(() -> {
			try {
				r[0] = RoundTripProbe.measure(300);
			} catch (Throwable e) {
				failed[0] = e;
			}
		});
		t.join();
		if (failed[0] != null) {
			throw new AssertionError("the probe failed", failed[0]);
		}
		// measure() throws when a loop's exits are not exactly the round trips asked for
		assertEquals(300, r[0].roundTrips());
		// PVM runs both loops; VMX/SVM (nested KVM) neither: a CPL3 out faults there, and syscall enters CPL0
		if (r[0].portIoNanos() < 0 || r[0].syscallNanos() < 0) {
			assertFalse(r[0].notes().isEmpty(), "a loop not run says why: " + r[0]);
		} else {
			assertTrue(r[0].notes().isEmpty(), r[0].toString());
		}
		assertTrue(r[0].portIoNanos() != 0 && r[0].syscallNanos() != 0, r[0].toString());
		if (r[0].syscallNanos() > 0) {
			assertTrue(r[0].portIoNanos() > 0, "where syscall stays at CPL3, so does the gate's out: " + r[0]);
		}
	}
}
