package org.insight.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.GuestManifest.Program;
import org.insight.testsupport.NativeRun;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every guest test and sample, glibc and musl, natively on the host with the manifest's arguments: its exit status (a
 * deadlock program hangs) and the compared part of its stdout are what the manifest and {@code expected/NAME.out}
 * say. No KVM is needed, so this runs on every machine and in every matrix; {@link GuestProgramsTest} then compares
 * the VM with a native run of the same arguments, which its {@code ci} selection makes smaller.
 */
class NativeProgramsTest {
	static final Duration NATIVE_LIMIT = Duration.ofSeconds(60);
	static final Duration NATIVE_DEADLOCK_LIMIT = Duration.ofSeconds(3);

	@TestFactory
	Stream<DynamicTest> eachProgramGivesItsExpectedOutputNatively() {
		List<DynamicTest> tests = new ArrayList<>();
		for (Program p : GuestManifest.all()) {
			for (String libc : GuestManifest.LIBCS) {
				tests.add(DynamicTest.dynamicTest(libc + "/" + p.name(), () -> check(libc, p)));
			}
		}
		return tests.stream();
	}

	private static void check(String libc, Program p) throws Exception {
		runAndCheck(libc + "/" + p.name(), GuestManifest.binary(libc, p.name()), p, p.expected());
	}

	/**
	 * Runs {@code p} natively (its arguments, environment and stdin) and checks its exit status (or that it hangs)
	 * and the compared part of its stdout against {@code expectedFile}; returns what it did, for a comparison with
	 * the VM ({@link GuestProgramsTest}).
	 */
	static NativeRun.Outcome runAndCheck(String label, Path bin, Program p, Path expectedFile) throws Exception {
		NativeRun.Outcome host = NativeRun.run(bin, p.args(), p.env(), p.stdinFile().orElse(null),
				p.deadlock() ? NATIVE_DEADLOCK_LIMIT : NATIVE_LIMIT);
		if (p.deadlock()) {
			assertTrue(host.timedOut(), label + " natively should hang, but ended with status " + host.status());
		} else {
			assertFalse(host.timedOut(), label + " natively did not finish within " + NATIVE_LIMIT);
			assertEquals(p.exitStatus(), host.status(), label + " natively: stderr " + host.stderr());
		}
		assertEquals(Files.readString(expectedFile), p.compared(host.stdout()), label + " natively");
		return host;
	}
}
