package org.insight.vmm.loader;

import java.nio.file.Path;
import java.util.List;

import org.insight.kvm.GuestMemory;
import org.insight.symbols.ElfFormatException;
import org.insight.symbols.ElfImage;
import org.insight.testsupport.FuzzInput;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.AddressSpaceConfig;

/**
 * Fuzz target "elf": the input is an executable, read ({@link ElfImage#read}: the byte-by-byte validation) and loaded
 * into a fresh address space ({@link ElfLoader#load}) with its initial stack written, as {@code insight run} does
 * before the first instruction. No /dev/kvm: the address space lives in plain host memory (32 MiB, cap 24 MiB).
 * Accepted: {@link ElfFormatException} and {@link ImageLoadException} (one line, exit 2). Run by
 * {@code ./insight fuzz elf}, replayed by {@code ElfLoaderFuzzCorpusTest}.
 */
public final class ElfLoaderFuzzTarget {
	private ElfLoaderFuzzTarget() {
	}

	static final long MEMORY = 32L << 20;
	static final long CAP = 24L << 20;
	private static final Path FILE = FuzzInput.scratchFile("fuzz.elf");
	private static final byte[] RANDOM = new byte[16];

	public static void fuzzerTestOneInput(byte[] data) {
		run(data);
	}

	/** One input through the target: null when it was read whole, the refusal when it was refused. */
	static Throwable run(byte[] data) {
		FuzzInput.write(FILE, data);
		return FuzzInput.check("elf", () -> load(FILE), ElfFormatException.class, ImageLoadException.class);
	}

	static void load(Path file) {
		ElfImage image = ElfImage.read(file);
		try (GuestMemory memory = GuestMemory.allocate(MEMORY)) {
			AddressSpace space = new AddressSpace(memory, new AddressSpaceConfig(CAP, 0, false));
			LoadedImage loaded = ElfLoader.load(image, space);
			InitialStack.write(space, loaded, List.of("fuzz", "a"), List.of("LANG=C"), "fuzz", 0, RANDOM);
		}
	}
}
