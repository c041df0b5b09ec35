package org.insight.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.insight.testsupport.GuestManifest;
import org.insight.testsupport.KvmRequirement;
import org.insight.testsupport.NativeRun;
import org.insight.vmm.inputs.LiveInputs;
import org.insight.vmm.inputs.RoundRobin;
import org.insight.vmm.inputs.StdinSource;
import org.insight.vmm.linux.CapturedOutput;
import org.insight.vmm.linux.Signals;
import org.insight.vmm.machine.RunOptions;
import org.insight.vmm.machine.RunResult;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernel area is out of the guest's reach (issue #12 item 1, ARCHITECTURE.md section 3a): guest-tests/kernelarea.c
 * writes the IDT, a stub, the GDT, the kernel stack and the gate, jumps into a stub and reads the kernel stack, each
 * in its own run. Each is killed by SIGSEGV (status 139) at the kernel-area address, as natively, with the line it
 * printed before kept; none is taken for a demand fault. glibc runs every case, musl three (CI time).
 */
class KernelAreaAttackTest {
	static final List<String> CASES = List.of("write-idt", "write-stub", "write-gdt", "write-stack", "jump-stub",
			"read-stack", "write-gate");
	static final List<String> MUSL_CASES = List.of("write-idt", "jump-stub", "read-stack");
	static final Duration LIMIT = Duration.ofSeconds(Long.getLong("insight.guestLimitSeconds", 120));

	@TestFactory
	Stream<DynamicTest> everyAttackIsASegfault() {
		List<DynamicTest> tests = new ArrayList<>();
		for (String libc : GuestManifest.LIBCS) {
			for (String c : libc.equals("glibc") ? CASES : MUSL_CASES) {
				tests.add(DynamicTest.dynamicTest(libc + "/" + c, () -> check(libc, c)));
			}
		}
		return tests.stream();
	}

	private static void check(String libc, String attack) throws Exception {
		KvmRequirement.require();
		Path bin = GuestManifest.binary(libc, "kernelarea");
		String expected = "TOKEN kernelarea " + attack + "\n";
		NativeRun.Outcome host = NativeRun.run(bin, List.of(attack), List.of(), null, Duration.ofSeconds(30));
		assertEquals(139, host.status(), libc + " natively: " + host.stderr());
		assertEquals(expected, host.stdout());
		CapturedOutput out = new CapturedOutput();
		RunOptions options = RunOptions.defaults().withArgv(List.of(bin.toString(), attack)).withEnv(List.of())
				.withStdin(StdinSource.empty()).withWallLimit(LIMIT);
		RunResult vm;
		try (LiveInputs inputs = new LiveInputs(StdinSource.empty(), new RoundRobin(options.timeSlice()))) {
			vm = GuestRun.run(bin, options, inputs, out);
		}
		String why = libc + " " + attack + ": " + vm.format() + "\nguest stderr: " + out.stderrText();
		assertEquals(139, vm.exitStatus(), why);
		assertEquals(Signals.SIGSEGV, vm.signal().orElse(-1), why);
		assertTrue(vm.describe().startsWith("killed by SIGSEGV at 0x"), why);
		assertTrue(vm.describe().contains("the VMM's kernel area, not the guest's"), why);
		assertEquals(expected, out.stdoutText(), "the output before the attack is kept: " + why);
	}
}
