package org.insight.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.NativeRun;
import org.junit.jupiter.api.Test;

/** The harness of {@link GuestProgramsTest} itself, which needs no KVM: manifests and native runs. */
class GuestManifestTest {
	@Test
	void bothManifestsAreReadWithTheirFields() {
		List<GuestManifest.Program> all = GuestManifest.all();
		GuestManifest.Program argv = all.stream().filter(p -> p.name().equals("argv")).findFirst().orElseThrow();
		assertEquals("token", argv.compare());
		assertEquals(List.of("INSIGHT_GREETING=hello"), argv.env());
		assertEquals(List.of("alpha", "bravo", "42"), argv.args());
		GuestManifest.Program deadlock = all.stream().filter(p -> p.name().equals("deadlock")).findFirst()
				.orElseThrow();
		assertTrue(deadlock.deadlock());
		GuestManifest.Program crash = all.stream().filter(p -> p.name().equals("crash")).findFirst().orElseThrow();
		assertEquals(139, crash.exitStatus());
		for (GuestManifest.Program p : all) {
			assertTrue(Files.isRegularFile(p.expected()), "expected output of " + p.name());
			p.stdinFile().ifPresent(f -> assertTrue(Files.isRegularFile(f), f.toString()));
		}
		assertEquals("TOKEN a\nTOKEN b\n", argv.compared("x\nTOKEN a\nnoise TOKEN\nTOKEN b\n"));
	}

	@Test
	void aNativeRunGivesStatusAndStdout() throws Exception {
		GuestManifest.Program hello = GuestManifest.all().stream().filter(p -> p.name().equals("hello")).findFirst()
				.orElseThrow();
		for (String libc : GuestManifest.LIBCS) {
			NativeRun.Outcome o = NativeRun.run(GuestManifest.binary(libc, "hello"), List.of(), List.of(), null,
					Duration.ofSeconds(30));
			assertFalse(o.timedOut());
			assertEquals(0, o.status());
			assertEquals(Files.readString(hello.expected()), hello.compared(o.stdout()), libc);
		}
		NativeRun.Outcome crash = NativeRun.run(GuestManifest.binary("musl", "crash"), List.of(), List.of(), null,
				Duration.ofSeconds(30));
		assertEquals(139, crash.status(), "a signal death reads as 128 + N, as in a shell");
	}
}
