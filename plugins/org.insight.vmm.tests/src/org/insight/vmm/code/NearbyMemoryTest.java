package org.insight.vmm.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.junit.jupiter.api.Test;

/**
 * The globals a loop's code reads near a landmark, found in bench/counting.c's built spinner (glibc and musl, static):
 * {@code while (!done) spins++;}, whose registers are the same on every pass, so only {@code spins} tells them apart.
 */
class NearbyMemoryTest {
	@Test
	void fromAnywhereInTheSpinnersLoopTheWalkFindsBothOfItsGlobalsAndNothingElse() {
		for (String libc : List.of("glibc", "musl")) {
			walk(libc);
		}
	}

	private static void walk(String libc) {
		Path p = Path.of(System.getProperty("insight.guests", "build/guests"), libc, "bench-counting");
		assumeTrue(Files.isRegularFile(p), "build the bench guests first: " + p);
		assumeTrue(X86Decoder.shared() != null, "libcapstone 4 is not installed");
		ElfImage image = ElfImage.read(p);
		List<LoadSegment> code = image.loadSegments().stream().filter(LoadSegment::executable).toList();
		long spinner = image.symbols().byName("spinner").orElseThrow().address();
		long spins = image.symbols().byName("spins").orElseThrow().address();
		long done = image.symbols().byName("done").orElseThrow().address();
		java.util.function.LongFunction<byte[]> bytes = va -> {
			for (LoadSegment s : code) {
				if (va >= s.vaddr() && va < s.vaddr() + s.fileSize()) {
					byte[] b = new byte[(int) Math.min(15, s.vaddr() + s.fileSize() - va)];
					image.copyBytes(s.fileOffset() + va - s.vaddr(), b, 0, b.length);
					return b;
				}
			}
			return null;
		};
		// spinner: jmp M ; nopw ; L: mov rax,[spins] ; add rax,1 ; mov [spins],rax ; M: mov eax,[done] ; test ; je L ;
		// xor eax,eax ; ret
		assertEquals(List.of(spins, done), addresses(NearbyMemory.operands(X86Decoder.shared(), bytes, spinner + 0x8, 64)),
				libc + ": at L, the loop's head");
		assertEquals(List.of(done, spins), addresses(NearbyMemory.operands(X86Decoder.shared(), bytes, spinner + 0x1a,
				64)),
				libc + ": at M: the branch back to L is followed, the ret ends the walk");
		assertEquals(List.of(spins), addresses(NearbyMemory.operands(X86Decoder.shared(), bytes, spinner + 0x8, 1)),
				libc + ": one instruction walked");
		assertEquals(List.of(), NearbyMemory.operands(X86Decoder.shared(), va -> null, spinner, 64), "no code");
	}

	/** RIP-relative operands' addresses, each once: the registers do not matter. */
	private static List<Long> addresses(List<MemoryOperand> operands) {
		return operands.stream().map(o -> {
			assertEquals(true, o.ripRelative(), o.toString());
			return o.address(new long[16], 0).getAsLong();
		}).distinct().toList(); // a load and a store of one global are two operands
	}
}
