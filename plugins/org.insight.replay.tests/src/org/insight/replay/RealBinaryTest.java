package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.vmm.machine.SyncMode;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceReader;
import org.insight.symbols.ElfImage;
import org.insight.vmm.linux.CapturedOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real static executable, read by org.insight.symbols, embedded in a trace and checked at replay. */
class RealBinaryTest {
	@TempDir
	Path dir;

	private Path compile(String name, String source) throws IOException, InterruptedException {
		Path c = Files.writeString(dir.resolve(name + ".c"), source);
		Path out = dir.resolve(name);
		Process p = new ProcessBuilder("gcc", "-static", "-O1", "-o", out.toString(), c.toString())
				.redirectErrorStream(true).start();
		String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (p.waitFor() != 0) {
			fail("gcc -static failed:\n" + log);
		}
		return out;
	}

	@Test
	void theRecordedBinaryIsEmbeddedWholeAndAnotherBuildIsRefused() throws Exception {
		Path hello = compile("hello", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
		Path rebuilt = compile("hello2", "#include <stdio.h>\nint main(void) { puts(\"hello!\"); return 0; }\n");
		ElfImage image = ElfImage.read(hello);
		GuestBinary binary = GuestBinary.of(image);
		assertTrue(binary.buildId().isPresent(), "gcc gives static executables a build-id");
		assertEquals(image.sha256(), binary.computedSha256());

		Path trace = dir.resolve("hello.insight");
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, List.of("hello"), List.of()),
				new RecordingConfig(SyncMode.SYSCALLS, Duration.ofMillis(10), OptionalLong.empty(), 1L << 30,
						Duration.ofMillis(20)));
		try (RecordSession s = RecordSession.start(trace, header, new ScriptedInputs(1, new byte[0]),
				new CapturedOutput(), ToyGuest.launcher(2, 12))) {
			s.run();
		}
		try (TraceReader r = TraceReader.open(trace)) {
			GuestBinary embedded = r.header().program().binary();
			assertArrayEquals(Files.readAllBytes(hello), embedded.bytes());
			assertEquals(image.buildId(), embedded.buildId());
			assertEquals(hello.toString(), embedded.name());
		}
		try (ReplaySession s = ReplaySession.open(trace, new CapturedOutput(), ToyGuest.launcher(2, 12),
				ReplayOptions.onThisHost().withBinary(hello))) {
			s.run();
			assertTrue(s.verification().isPresent());
		}
		ReplayRefusedException e = assertThrows(ReplayRefusedException.class, () -> ReplaySession.open(trace,
				new CapturedOutput(), ToyGuest.launcher(2, 12), ReplayOptions.onThisHost().withBinary(rebuilt)));
		assertTrue(e.getMessage().contains("it was recorded with " + hello + " (sha256 " + image.sha256()
				+ ", build-id " + image.buildId().orElseThrow() + "), but " + rebuilt + " has sha256 "
				+ ElfImage.read(rebuilt).sha256()), e.getMessage());
	}

	@Test
	void aTraceLimitTheHeaderReachesRunsNothingAndLeavesNoFile() throws Exception {
		Path hello = compile("hello", "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(GuestBinary.of(ElfImage.read(hello)),
				List.of("hello"), List.of()), new RecordingConfig(SyncMode.SYSCALLS, Duration.ofMillis(10),
						OptionalLong.empty(), 1L << 30, Duration.ofMillis(20)));
		Path trace = dir.resolve("limited.insight");
		Path earlier = dir.resolve("earlier.insight");
		Files.write(earlier, new byte[] {1, 2, 3});
		assertThrows(RecordSession.TraceLimitTooSmallException.class, () -> RecordSession.start(earlier, header,
				new ScriptedInputs(1, new byte[0]), new CapturedOutput(), ToyGuest.launcher(2, 12),
				org.insight.replay.trace.TraceWriter.Options.DEFAULT, 4096));
		assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(earlier), "an earlier file at -o is untouched");
		RecordSession.TraceLimitTooSmallException e = assertThrows(RecordSession.TraceLimitTooSmallException.class,
				() -> RecordSession.start(trace, header, new ScriptedInputs(1, new byte[0]), new CapturedOutput(),
						ToyGuest.launcher(2, 12), org.insight.replay.trace.TraceWriter.Options.DEFAULT, 4096));
		assertTrue(e.headerBytes() >= 4096, "the header embeds the program: " + e.headerBytes());
		assertTrue(e.getMessage().endsWith("which reaches the trace size limit of 4096 bytes"), e.getMessage());
		assertTrue(Files.notExists(trace), "no header-only trace is left");
	}
}
