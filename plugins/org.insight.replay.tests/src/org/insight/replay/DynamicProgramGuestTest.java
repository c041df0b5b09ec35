package org.insight.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import org.insight.replay.trace.GuestBinary;
import org.insight.replay.trace.GuestOutcome;
import org.insight.replay.trace.GuestProgram;
import org.insight.replay.trace.RecordingConfig;
import org.insight.replay.trace.TraceHeader;
import org.insight.replay.trace.TraceInfo;
import org.insight.symbols.ElfImage;
import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.KvmRequirement;
import org.insight.testsupport.NativeRun;
import org.insight.vmm.GuestRun;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.linux.fd.HostFileLoader;
import org.insight.vmm.linux.fd.ProvidedFiles;
import org.insight.vmm.loader.ImageLoadException;
import org.insight.vmm.loader.SharedLibraries;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.machine.SyncMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dynamically linked glibc program (guest-tests' {@code glibc-dynamic/hello} and {@code threads}): ld.so and
 * libc.so.6 provided from the host, the same output natively and in the VM, and a recording that carries them in its
 * header and replays verified.
 */
class DynamicProgramGuestTest {
	static final Duration LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));
	static final List<String> NAMES = List.of("hello", "threads");

	@TempDir
	Path dir;

	/** The interpreter and libraries of {@code bin}, as the CLI provides them. */
	static ProvidedFiles libraries(Path bin) {
		List<Path> hosts = SharedLibraries.of(bin, ElfImage.read(bin).dynamic()).stream()
				.map(SharedLibraries.Library::host).toList();
		return HostFileLoader.load(hosts, List.of(), HostFileLoader.DEFAULT_MAX_BYTES);
	}

	static Path binary(String name) {
		return GuestManifest.binary("glibc-dynamic", name);
	}

	@Test
	void nativeAndVmAgree() throws Exception {
		KvmRequirement.require();
		for (String name : NAMES) {
			Path bin = binary(name);
			NativeRun.Outcome host = NativeRun.run(bin, List.of(), List.of(), null, Duration.ofSeconds(20));
			assertFalse(host.timedOut(), name);
			assertEquals(0, host.status(), name + " natively: " + host.stderr());
			CapturedOutput out = new CapturedOutput();
			RunOptions options = RunOptions.defaults().withArgv(List.of(bin.toString())).withWallLimit(LIMIT)
					.withStdin(StdinSource.empty()).withFiles(libraries(bin));
			RunResult vm;
			try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
				vm = GuestRun.run(bin, options, inputs, out);
			}
			String why = name + " in the VM: " + vm.format() + vm.stats().format() + "\nstderr: " + out.stderrText();
			assertEquals(0, vm.exitStatus(), why);
			assertEquals(host.stdout(), out.stdoutText(), why);
		}
	}

	/** Locks mode finds the lock functions by the program's symbols: a dynamic program's are libc's, not read. */
	@Test
	void locksModeIsRefusedWithItsReason() throws Exception {
		KvmRequirement.require();
		Path bin = binary("threads");
		RunOptions options = RunOptions.defaults().withArgv(List.of(bin.toString())).withSyncMode(SyncMode.LOCKS)
				.withFiles(libraries(bin));
		try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
			ImageLoadException e = assertThrows(ImageLoadException.class,
					() -> GuestRun.run(bin, options, inputs, new CapturedOutput()));
			assertTrue(e.getMessage().contains("--mode locks needs the program's pthread functions"), e.getMessage());
		}
		// without its interpreter among the provided files, a dynamic program is refused before it runs
		try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
			ImageLoadException e = assertThrows(ImageLoadException.class, () -> GuestRun.run(bin, RunOptions
					.defaults().withArgv(List.of(bin.toString())), inputs, new CapturedOutput()));
			assertTrue(e.getMessage().contains("interpreter /lib64/ld-linux-x86-64.so.2 is not among the provided"),
					e.getMessage());
		}
	}

	@Test
	void recordsAndReplaysVerified() throws IOException {
		KvmRequirement.require();
		for (String name : NAMES) {
			Path bin = binary(name);
			Path trace = dir.resolve(name + ".insight");
			List<String> argv = List.of(bin.toString());
			RunOptions options = RunOptions.defaults().withArgv(argv).withFiles(libraries(bin));
			ElfImage image = ElfImage.read(bin);
			GuestBinary binary = GuestBinary.of(GuestRun.executablePath(bin), image.bytes(), image.buildId());
			RecordingConfig config = new RecordingConfig(SyncMode.SYSCALLS, options.timeSlice(), OptionalLong.empty(),
					options.memoryCap(), options.watchdogPeriod());
			TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of(), options.files()),
					config);
			CapturedOutput recorded = new CapturedOutput();
			GuestOutcome outcome;
			try (LiveInputs live = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()));
					RecordSession s = RecordSession.start(trace, header, live, recorded, new VmmLauncher(LIMIT))) {
				outcome = s.run();
			}
			assertEquals(0, outcome.exit().status(), name + ": " + outcome.exit() + " " + recorded.stderrText());
			List<String> provided = new ArrayList<>();
			TraceInfo.read(trace).header().program().files().entries().forEach(e -> provided.add(e.path()));
			assertTrue(provided.contains("/lib64/ld-linux-x86-64.so.2") && provided.contains(
					"/lib/x86_64-linux-gnu/libc.so.6"), "the trace carries ld.so and libc: " + provided);
			CapturedOutput replayed = new CapturedOutput();
			try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
					ReplayOptions.onThisHost())) {
				GuestOutcome again = s.run();
				assertTrue(s.verification().orElseThrow().startsWith("replay verified: "), s.verification().get());
				assertArrayEquals(outcome.memoryDigest(), again.memoryDigest(), name);
			}
			assertArrayEquals(recorded.stdout(), replayed.stdout(), name);
		}
	}
}
