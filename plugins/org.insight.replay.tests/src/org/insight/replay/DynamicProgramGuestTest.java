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
import java.util.Map;
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
import org.insight.vmm.inputs.Chaos;
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
 * Dynamically linked programs (guest-tests' {@code glibc-dynamic} and {@code musl-dynamic} builds of {@code hello},
 * {@code threads} and {@code lockorder}): the interpreter and libc provided from the host (glibc's ld.so and
 * libc.so.6; musl's ld-musl-x86_64.so.1, which is its libc.so), the same output natively and in the VM, a recording
 * that carries them in its header and replays verified, in syscalls mode and in locks mode with chaos, where the lock
 * functions are libc's (libc.so.6's hooked when ld.so maps it, musl's at the start, in the interpreter).
 */
class DynamicProgramGuestTest {
	static final Duration LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));
	static final List<String> NAMES = List.of("hello", "threads");
	/** The builds, each with the interpreter and libc its recording must carry. */
	static final Map<String, List<String>> LIBCS = Map.of("glibc-dynamic", List.of("/lib64/ld-linux-x86-64.so.2",
			"/lib/x86_64-linux-gnu/libc.so.6"), "musl-dynamic", List.of("/lib/ld-musl-x86_64.so.1"));

	@TempDir
	Path dir;

	/** The interpreter and libraries of {@code bin}, as the CLI provides them. */
	static ProvidedFiles libraries(Path bin) {
		List<Path> hosts = SharedLibraries.of(bin, ElfImage.read(bin).dynamic()).stream()
				.map(SharedLibraries.Library::host).toList();
		return HostFileLoader.load(hosts, List.of(), HostFileLoader.DEFAULT_MAX_BYTES);
	}

	static Path binary(String libc, String name) {
		return GuestManifest.binary(libc, name);
	}

	@Test
	void nativeAndVmAgree() throws Exception {
		KvmRequirement.require();
		for (String libc : LIBCS.keySet()) {
			for (String name : NAMES) {
				Path bin = binary(libc, name);
				String what = libc + "/" + name;
				NativeRun.Outcome host = NativeRun.run(bin, List.of(), List.of(), null, Duration.ofSeconds(20));
				assertFalse(host.timedOut(), what);
				assertEquals(0, host.status(), what + " natively: " + host.stderr());
				CapturedOutput out = new CapturedOutput();
				RunOptions options = RunOptions.defaults().withArgv(List.of(bin.toString())).withWallLimit(LIMIT)
						.withStdin(StdinSource.empty()).withFiles(libraries(bin));
				RunResult vm;
				try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
					vm = GuestRun.run(bin, options, inputs, out);
				}
				String why = what + " in the VM: " + vm.format() + vm.stats().format() + "\nstderr: "
						+ out.stderrText();
				assertEquals(0, vm.exitStatus(), why);
				assertEquals(host.stdout(), out.stdoutText(), why);
			}
		}
	}

	/**
	 * Locks mode stops at libc's lock functions: lockorder's design makes four pthread_mutex_lock and four
	 * pthread_mutex_unlock calls, one sem_wait and one sem_post (glibc's ld.so may add its own mutex calls through
	 * libc, so the mutex calls are at least that many).
	 */
	@Test
	void locksModeStopsAtLibcsLockFunctions() throws Exception {
		KvmRequirement.require();
		for (String libc : LIBCS.keySet()) {
			Path bin = binary(libc, "lockorder");
			RunOptions options = RunOptions.defaults().withArgv(List.of(bin.toString())).withSyncMode(SyncMode.LOCKS)
					.withWallLimit(LIMIT).withStdin(StdinSource.empty()).withFiles(libraries(bin));
			CapturedOutput out = new CapturedOutput();
			RunResult vm;
			try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new Chaos(5))) {
				vm = GuestRun.run(bin, options, inputs, out);
			}
			String why = libc + ": " + vm.format() + vm.stats().format() + "\nstderr: " + out.stderrText();
			assertEquals(0, vm.exitStatus(), why);
			assertEquals("TOKEN lockorder counter 2\n", out.stdoutText(), why);
			Map<String, Long> calls = vm.stats().lockCalls();
			assertTrue(calls.getOrDefault("pthread_mutex_lock", 0L) >= 4, libc + ": lock calls " + calls);
			assertTrue(calls.getOrDefault("pthread_mutex_unlock", 0L) >= 4, libc + ": lock calls " + calls);
			assertEquals(1L, calls.get("sem_wait"), libc + ": lock calls " + calls);
			assertEquals(1L, calls.get("sem_post"), libc + ": lock calls " + calls);
		}
		// without its interpreter among the provided files, a dynamic program is refused before it runs
		Path bin = binary("glibc-dynamic", "lockorder");
		try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(Duration.ofMillis(1)))) {
			ImageLoadException e = assertThrows(ImageLoadException.class, () -> GuestRun.run(bin, RunOptions
					.defaults().withArgv(List.of(bin.toString())), inputs, new CapturedOutput()));
			assertTrue(e.getMessage().contains("interpreter /lib64/ld-linux-x86-64.so.2 is not among the provided"),
					e.getMessage());
		}
	}

	@Test
	void recordsAndReplaysVerifiedInLocksModeWithChaos() throws IOException {
		KvmRequirement.require();
		for (String libc : LIBCS.keySet()) {
			// threads with ci-workloads.txt's smaller workload: every lock call stops the guest twice
			recordAndReplay(libc, "threads", List.of("1000"), SyncMode.LOCKS, OptionalLong.of(7));
			recordAndReplay(libc, "lockorder", List.of(), SyncMode.LOCKS, OptionalLong.of(7));
		}
	}

	@Test
	void recordsAndReplaysVerified() throws IOException {
		KvmRequirement.require();
		for (String libc : LIBCS.keySet()) {
			for (String name : NAMES) {
				recordAndReplay(libc, name, List.of(), SyncMode.SYSCALLS, OptionalLong.empty());
			}
		}
	}

	private void recordAndReplay(String libc, String name, List<String> args, SyncMode mode, OptionalLong seed)
			throws IOException {
		Path bin = binary(libc, name);
		Path trace = dir.resolve(libc + "-" + name + "-" + mode + ".insight");
		List<String> argv = new ArrayList<>(List.of(bin.toString()));
		argv.addAll(args);
		RunOptions options = RunOptions.defaults().withArgv(argv).withSyncMode(mode).withFiles(libraries(bin));
		ElfImage image = ElfImage.read(bin);
		GuestBinary binary = GuestBinary.of(GuestRun.executablePath(bin), image.bytes(), image.buildId());
		RecordingConfig config = new RecordingConfig(mode, options.timeSlice(), seed, options.memoryCap(),
				options.watchdogPeriod());
		TraceHeader header = TraceHeader.forRecording(new GuestProgram(binary, argv, List.of(), options.files()),
				config);
		CapturedOutput recorded = new CapturedOutput();
		GuestOutcome outcome;
		String what = libc + "/" + name + " " + args + " " + mode + seed;
		try (LiveInputs live = new LiveInputs(StdinSource.empty(), seed.isPresent() ? new Chaos(seed.getAsLong())
				: new RoundRobin(options.timeSlice()));
				RecordSession s = RecordSession.start(trace, header, live, recorded, new VmmLauncher(LIMIT))) {
			outcome = s.run();
		}
		assertEquals(0, outcome.exit().status(), what + ": " + outcome.exit() + " " + recorded.stderrText());
		List<String> provided = new ArrayList<>();
		TraceInfo.read(trace).header().program().files().entries().forEach(e -> provided.add(e.path()));
		assertTrue(provided.containsAll(LIBCS.get(libc)), what + ": the trace carries the interpreter and libc: "
				+ provided);
		CapturedOutput replayed = new CapturedOutput();
		try (ReplaySession s = ReplaySession.open(trace, replayed, new VmmLauncher(null),
				ReplayOptions.onThisHost())) {
			GuestOutcome again = s.run();
			assertTrue(s.verification().orElseThrow().startsWith("replay verified: "), s.verification().get());
			assertArrayEquals(outcome.memoryDigest(), again.memoryDigest(), what);
		}
		assertArrayEquals(recorded.stdout(), replayed.stdout(), what);
	}
}
