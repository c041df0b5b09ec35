package org.insight.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.GuestManifest.Program;
import org.insight.testsupport.KvmRequirement;
import org.insight.testsupport.NativeRun;
import org.insight.testsupport.TestMatrix;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.linux.fd.HostFileLoader;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;
import org.insight.vmm.sched.DeadlockReport;
import org.insight.vmm.sched.ThreadReport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every guest test and sample, glibc and musl, runs natively and in the VM through the real /dev/kvm: same exit
 * status, same compared stdout (issue 3's acceptance). The deadlock sample must end with the actual-deadlock report.
 * <p>
 * The {@code full} matrix ({@link TestMatrix}) runs the manifest's arguments and checks {@code expected/NAME.out}.
 * The {@code ci} selection runs a program that {@code ci-workloads.txt} gives a smaller workload with those arguments
 * (the same binary and self-checks, fewer iterations: each futex call is an exit, slow under nested TCG) and checks
 * {@code expected/NAME.ci.out}; {@link NativeProgramsTest} checks the manifest's arguments natively on every run.
 */
class GuestProgramsTest {
	/** Per program in the VM; system property insight.guestLimitSeconds raises it on a slow (emulated) host. */
	static final Duration VM_LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));

	@TestFactory
	Stream<DynamicTest> nativeAndVmAgree() {
		List<DynamicTest> tests = new ArrayList<>();
		for (Program p : GuestManifest.all()) {
			for (String libc : GuestManifest.LIBCS) {
				tests.add(DynamicTest.dynamicTest(libc + "/" + p.name(), () -> check(libc, p)));
			}
		}
		return tests.stream();
	}

	private static void check(String libc, Program manifest) throws Exception {
		KvmRequirement.require();
		boolean smaller = !TestMatrix.full() && GuestManifest.ciWorkload(manifest).isPresent();
		Program p = smaller ? GuestManifest.withCiWorkload(manifest) : manifest;
		Path expectedFile = smaller ? p.expectedWithCiWorkload() : p.expected();
		String label = libc + "/" + p.name() + (smaller ? " " + String.join(" ", p.args()) : "");
		Path bin = GuestManifest.binary(libc, p.name());
		NativeRun.Outcome host = NativeProgramsTest.runAndCheck(label, bin, p, expectedFile);
		CapturedOutput out = new CapturedOutput();
		RunResult vm = runInVm(bin, p, out);
		String why = label + " in the VM: " + vm.format() + vm.stats().format();
		if (p.deadlock()) {
			DeadlockReport report = vm.deadlock().orElseThrow(() -> new AssertionError(label
					+ " should end with a deadlock report: " + why));
			assertTrue(report.futexWaiters() >= 2, why);
		} else {
			assertEquals(host.status(), vm.exitStatus(), why + "\nguest stderr: " + out.stderrText());
		}
		assertEquals(p.compared(host.stdout()), p.compared(out.stdoutText()), why);
	}

	private static RunResult runInVm(Path bin, Program p, CapturedOutput out) throws IOException {
		List<String> argv = new ArrayList<>();
		argv.add(bin.toString());
		argv.addAll(p.args());
		StdinSource stdin = p.stdinFile().map(StdinSource::file).orElse(StdinSource.empty());
		RunOptions options = RunOptions.defaults().withArgv(argv).withEnv(p.env()).withStdin(stdin)
				.withWallLimit(VM_LIMIT).withFiles(HostFileLoader.provide(p.files(), HostFileLoader.DEFAULT_MAX_BYTES));
		try (LiveInputs inputs = new LiveInputs(stdin, new RoundRobin(options.timeSlice()))) {
			return GuestRun.run(bin, options, inputs, out);
		}
	}

	/** The actual-deadlock sample names the two workers, each blocked on the lock the other holds. */
	@Test
	void theDeadlockSampleNamesBothLocks() throws IOException {
		KvmRequirement.require();
		for (String libc : GuestManifest.LIBCS) {
			Path bin = GuestManifest.binary(libc, "deadlock");
			Program p = GuestManifest.all().stream().filter(x -> x.name().equals("deadlock")).findFirst()
					.orElseThrow();
			RunResult vm = runInVm(bin, p, new CapturedOutput());
			DeadlockReport report = vm.deadlock().orElseThrow(() -> new AssertionError(libc
					+ "/deadlock should end with a deadlock report: " + vm.format()));
			List<ThreadReport> onLocks = report.threads().stream().filter(t -> t.futexName().startsWith(
					"accounts_lock") || t.futexName().startsWith("audit_lock")).toList();
			assertEquals(2, onLocks.size(), libc + ": " + report.format());
			assertTrue(onLocks.get(0).futexName().startsWith("accounts_lock") != onLocks.get(1).futexName()
					.startsWith("accounts_lock"), report.format());
			assertEquals(RunResult.STOPPED_STATUS, vm.exitStatus());
		}
	}
}
