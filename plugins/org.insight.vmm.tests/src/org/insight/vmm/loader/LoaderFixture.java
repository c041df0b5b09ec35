package org.insight.vmm.loader;

import org.insight.testsupport.HostTools;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.insight.kvm.GuestMemory;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;
import org.insight.vmm.memory.MachineLayout;

/** Guest memory with an address space, plus the host tools the loader tests compare against. */
final class LoaderFixture implements AutoCloseable {
	static final long SIZE = 256L << 20;
	final GuestMemory memory;
	final AddressSpace space;

	LoaderFixture(long cap) {
		memory = GuestMemory.allocate(SIZE);
		space = new AddressSpace(memory, new AddressSpaceConfig(cap, 0, false));
	}

	LoaderFixture() {
		this(SIZE - MachineLayout.FIRST_FREE_FRAME);
	}

	@Override
	public void close() {
		memory.close();
	}

	static final String HELLO = """
			#include <stdio.h>
			int counter = 3;
			static char big[100000];
			int main(int argc, char **argv) {
				big[argc] = 1;
				printf("hello %d %d\\n", counter, big[1]);
				return 0;
			}
			""";

	static Path compile(Path dir, String compiler, String name, String... flags) throws IOException, InterruptedException {
		return HostTools.compile(dir, compiler, name, HELLO, flags);
	}

	static String run(String... command) throws IOException, InterruptedException {
		return HostTools.run(command);
	}

	static long readelfEntry(Path file) throws IOException, InterruptedException {
		Matcher m = Pattern.compile("Entry point address:\\s+0x(\\p{XDigit}+)").matcher(run("readelf", "-hW", file.toString()));
		if (!m.find()) {
			fail("no entry in readelf output");
		}
		return Long.parseUnsignedLong(m.group(1), 16);
	}

	static long nm(Path file, String symbol) throws IOException, InterruptedException {
		Matcher m = Pattern.compile("(?m)^(\\p{XDigit}+) \\w " + Pattern.quote(symbol) + "$").matcher(run("nm", file.toString()));
		if (!m.find()) {
			fail("no " + symbol + " in nm output");
		}
		return Long.parseUnsignedLong(m.group(1), 16);
	}

	/** One PT_LOAD of a hand-made ELF. */
	record Seg(long offset, long vaddr, long fileSize, long memSize, int flags) {
	}

	/**
	 * A minimal ET_EXEC x86-64 file: header and program headers at offset 0, no sections, {@code length} bytes in
	 * all, every byte after the headers 0xAA so that a loader copying too much is seen.
	 */
	static byte[] tinyElf(long entry, int length, Seg... segs) {
		ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < length; i++) {
			b.put(i, (byte) 0xAA);
		}
		b.put(0, new byte[] { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
		b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, entry).putLong(32, 64)
				.putLong(40, 0).putInt(48, 0).putShort(52, (short) 64).putShort(54, (short) 56)
				.putShort(56, (short) segs.length).putShort(58, (short) 64).putShort(60, (short) 0).putShort(62, (short) 0);
		for (int i = 0; i < segs.length; i++) {
			int p = 64 + 56 * i;
			Seg s = segs[i];
			b.putInt(p, 1).putInt(p + 4, s.flags).putLong(p + 8, s.offset).putLong(p + 16, s.vaddr)
					.putLong(p + 24, s.vaddr).putLong(p + 32, s.fileSize).putLong(p + 40, s.memSize).putLong(p + 48, 0x1000);
		}
		return b.array();
	}
}
