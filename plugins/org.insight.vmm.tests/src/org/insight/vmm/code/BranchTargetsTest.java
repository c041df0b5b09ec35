package org.insight.vmm.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.junit.jupiter.api.Test;

/** Where bench/counting.c's code may be patched, found in the built program (glibc, static, not PIE). */
class BranchTargetsTest {
	private static BranchTargets counting() {
		Path p = Path.of(System.getProperty("insight.guests", "build/guests"), "glibc", "bench-counting");
		assumeTrue(Files.isRegularFile(p), "build the bench guests first: " + p);
		ElfImage image = ElfImage.read(p);
		List<LoadSegment> code = image.loadSegments().stream().filter(LoadSegment::executable).toList();
		return new BranchTargets(() -> image.symbols().functions(), (va, len) -> {
			for (LoadSegment s : code) {
				if (va >= s.vaddr() && va + len <= s.vaddr() + s.fileSize()) {
					byte[] b = new byte[len];
					image.copyBytes(s.fileOffset() + va - s.vaddr(), b, 0, len);
					return b;
				}
			}
			return null;
		}, X86Decoder::shared);
	}

	@Test
	void theCountingLoopsArePatchableExceptOverTheirOwnTargets() {
		BranchTargets t = counting();
		long spinner = t.functionAt(image("spinner")).orElseThrow().address();
		// spinner: jmp +0x18 ; nopw ; L: mov rax,[spins] ; add rax,1 ; mov [spins],rax ; M: mov eax,[done] ; test ; je L
		assertEquals(Optional.empty(), t.refusal(spinner + 0x8, spinner + 0xf), "mov rax, [rip+spins]");
		assertEquals(Optional.empty(), t.refusal(spinner + 0xf, spinner + 0x1a), "add ; mov (M is the end, not inside)");
		assertTrue(t.refusal(spinner + 0x13, spinner + 0x1c).orElseThrow().contains("branch target"),
				"M, the first jmp's target, is inside");
		assertTrue(t.refusal(spinner + 0x20, spinner + 0x30).orElseThrow().contains("past the end"));
		assertTrue(t.refusal(0x10, 0x20).orElseThrow().contains("no known function"));
	}

	@Test
	void aFunctionWithAJumpTableIsNotPatched() {
		BranchTargets t = counting();
		long vfprintf = image("__vfprintf_internal");
		assertTrue(t.refusal(vfprintf, vfprintf + 5).orElseThrow().contains("indirect jump"));
	}

	@Test
	void islandsAreThePaddingAfterAFunctionThatReturns() {
		BranchTargets t = counting();
		long spinner = image("spinner");
		// spinner ends with xor eax,eax ; ret at +0x24..+0x27, then nopw padding up to call_fini at +0x30
		assertEquals(spinner + 0x27, t.island(spinner, spinner + 0x40));
		assertEquals(spinner + 0x27, t.island(spinner + 0x27, spinner + 0x27));
		assertEquals(-1, t.island(spinner + 0x2c, spinner + 0x2f), "fewer than 5 bytes are left there");
		assertEquals(-1, t.island(spinner + 0x8, spinner + 0x20), "inside the function");
	}

	private static long image(String name) {
		Path p = Path.of(System.getProperty("insight.guests", "build/guests"), "glibc", "bench-counting");
		return ElfImage.read(p).symbols().byName(name).orElseThrow().address();
	}
}
