package org.insight.vmm.loader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestOutOfMemoryException;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;

/**
 * The Linux initial process stack, as the kernel's create_elf_tables() leaves it: at
 * {@link #rsp()} (16-byte aligned) argc, then the argv pointers and a NULL, the envp pointers and a NULL, then the
 * auxiliary vector; above them the 16 AT_RANDOM bytes and the "x86_64" platform string; at the top the argv and
 * environment strings, the executable name and 8 zero bytes.
 * <p>
 * There is no AT_SYSINFO_EHDR: without a vDSO, libc reads clocks through syscalls, which the VMM sees and records.
 */
public final class InitialStack {
	public static final int AT_NULL = 0;
	public static final int AT_PHDR = 3;
	public static final int AT_PHENT = 4;
	public static final int AT_PHNUM = 5;
	public static final int AT_PAGESZ = 6;
	public static final int AT_BASE = 7;
	public static final int AT_FLAGS = 8;
	public static final int AT_ENTRY = 9;
	public static final int AT_UID = 11;
	public static final int AT_EUID = 12;
	public static final int AT_GID = 13;
	public static final int AT_EGID = 14;
	public static final int AT_PLATFORM = 15;
	public static final int AT_HWCAP = 16;
	public static final int AT_CLKTCK = 17;
	public static final int AT_SECURE = 23;
	public static final int AT_RANDOM = 25;
	public static final int AT_HWCAP2 = 26;
	public static final int AT_EXECFN = 31;

	/** Linux refuses (E2BIG) arguments and environment larger than a quarter of the stack limit. */
	public static final long MAX_STRINGS = MachineLayout.STACK_SIZE / 4;
	/** Linux's MAX_ARG_STRLEN: one string of at most 32 pages. */
	public static final int MAX_STRING = 32 * 4096;
	/** The values of AT_UID, AT_EUID, AT_GID and AT_EGID (the guest runs as root of its own little world). */
	public static final long ID = 0;
	/** sysconf(_SC_CLK_TCK) on Linux. */
	public static final long CLOCK_TICKS = 100;
	private static final String PLATFORM = "x86_64";

	private final long rsp;
	private final long argvAddress;
	private final long envpAddress;
	private final long auxvAddress;
	private final Map<Integer, Long> auxv;

	private InitialStack(long rsp, long argvAddress, long envpAddress, long auxvAddress, Map<Integer, Long> auxv) {
		this.rsp = rsp;
		this.argvAddress = argvAddress;
		this.envpAddress = envpAddress;
		this.auxvAddress = auxvAddress;
		this.auxv = Collections.unmodifiableMap(auxv);
	}

	/**
	 * Maps the main thread's stack ({@link MachineLayout#STACK_SIZE} below {@link MachineLayout#STACK_TOP}) and
	 * writes the initial stack, with the AT_RANDOM bytes asked from {@code inputs} for thread {@code tid} (so a
	 * recording keeps them).
	 */
	public static InitialStack write(AddressSpace space, LoadedImage image, List<String> argv, List<String> env,
			String execFn, long hwcap, GuestInputs inputs, int tid) {
		byte[] random = inputs.random(new RandomRequest(tid, 16, RandomRequest.Purpose.AT_RANDOM));
		try {
			return write(space, image, argv, env, execFn, hwcap, random);
		} catch (GuestOutOfMemoryException e) {
			throw new ImageLoadException(image.image().file(), "the memory cap is too small for the initial stack: "
					+ e.getMessage(), e);
		}
	}

	/**
	 * Maps the main thread's stack and writes the initial stack.
	 *
	 * @param execFn   the program name for AT_EXECFN (what the guest will see as its path)
	 * @param hwcap    AT_HWCAP: on x86-64, CPUID leaf 1 EDX of the CPU the guest sees
	 * @param atRandom the 16 AT_RANDOM bytes (libc's stack protector and pointer guard seeds)
	 * @throws IllegalArgumentException when the strings are too large for Linux (E2BIG) or contain a NUL
	 */
	public static InitialStack write(AddressSpace space, LoadedImage image, List<String> argv, List<String> env,
			String execFn, long hwcap, byte[] atRandom) {
		if (atRandom.length != 16) {
			throw new IllegalArgumentException("AT_RANDOM needs 16 bytes, got " + atRandom.length);
		}
		long top = MachineLayout.STACK_TOP;
		space.map(top - MachineLayout.STACK_SIZE, top, Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.STACK);
		space.prefault(top - Math.min(space.config().prefaultLimit(), MachineLayout.STACK_SIZE), top);

		// The strings, lowest address first: argv, environment, execfn, then the 8-byte end marker.
		ByteArrayOutputStream strings = new ByteArrayOutputStream();
		List<Integer> argvOffsets = append(strings, argv, "argv");
		List<Integer> envOffsets = append(strings, env, "environment");
		int execFnOffset = append(strings, List.of(execFn), "executable name").get(0);
		strings.writeBytes(new byte[8]);
		if (strings.size() > MAX_STRINGS) {
			throw new IllegalArgumentException("arguments and environment take " + strings.size()
					+ " bytes, more than Linux allows (" + MAX_STRINGS + ", E2BIG)");
		}
		long stringsAt = top - strings.size();
		space.copyOut(stringsAt, strings.toByteArray());

		byte[] platform = (PLATFORM + "\0").getBytes(StandardCharsets.US_ASCII);
		long platformAt = stringsAt - platform.length;
		space.copyOut(platformAt, platform);
		long randomAt = (platformAt - 16) & -16L;
		space.copyOut(randomAt, atRandom);

		Map<Integer, Long> aux = new LinkedHashMap<>();
		aux.put(AT_PHDR, image.phdr());
		aux.put(AT_PHENT, (long) image.image().phentsize());
		aux.put(AT_PHNUM, (long) image.phnum());
		aux.put(AT_PAGESZ, MachineLayout.PAGE_SIZE);
		aux.put(AT_BASE, image.interpreterBase()); // 0: no interpreter
		aux.put(AT_FLAGS, 0L);
		aux.put(AT_ENTRY, image.entry());
		aux.put(AT_UID, ID);
		aux.put(AT_EUID, ID);
		aux.put(AT_GID, ID);
		aux.put(AT_EGID, ID);
		aux.put(AT_PLATFORM, platformAt);
		aux.put(AT_HWCAP, hwcap);
		aux.put(AT_CLKTCK, CLOCK_TICKS);
		aux.put(AT_SECURE, 0L);
		aux.put(AT_RANDOM, randomAt);
		aux.put(AT_HWCAP2, 0L);
		aux.put(AT_EXECFN, stringsAt + execFnOffset);
		aux.put(AT_NULL, 0L);

		int words = 1 + argv.size() + 1 + env.size() + 1 + 2 * aux.size();
		long rsp = (randomAt - 8L * words) & -16L;
		ByteBuffer vector = ByteBuffer.allocate(8 * words).order(ByteOrder.LITTLE_ENDIAN);
		vector.putLong(argv.size());
		for (int off : argvOffsets) {
			vector.putLong(stringsAt + off);
		}
		vector.putLong(0);
		for (int off : envOffsets) {
			vector.putLong(stringsAt + off);
		}
		vector.putLong(0);
		for (Map.Entry<Integer, Long> e : aux.entrySet()) {
			vector.putLong(e.getKey());
			vector.putLong(e.getValue());
		}
		space.copyOut(rsp, vector.array());
		long argvAt = rsp + 8;
		long envpAt = argvAt + 8L * (argv.size() + 1);
		return new InitialStack(rsp, argvAt, envpAt, envpAt + 8L * (env.size() + 1), aux);
	}

	private static List<Integer> append(ByteArrayOutputStream out, List<String> strings, String what) {
		List<Integer> offsets = new ArrayList<>();
		for (String s : strings) {
			byte[] b = s.getBytes(StandardCharsets.UTF_8);
			if (s.indexOf('\0') >= 0) {
				throw new IllegalArgumentException(what + " string contains a NUL: " + s.replace('\0', '?'));
			}
			if (b.length + 1 > MAX_STRING) {
				throw new IllegalArgumentException(what + " string of " + b.length + " bytes is longer than Linux allows ("
						+ (MAX_STRING - 1) + ", E2BIG)");
			}
			offsets.add(out.size());
			out.writeBytes(b);
			out.write(0);
		}
		return offsets;
	}

	/** The initial stack pointer: points at argc, 16-byte aligned (what the ELF entry point expects). */
	public long rsp() {
		return rsp;
	}

	/** Where the argv pointer array is (rsp + 8). */
	public long argvAddress() {
		return argvAddress;
	}

	public long envpAddress() {
		return envpAddress;
	}

	public long auxvAddress() {
		return auxvAddress;
	}

	/** The auxiliary vector as written, in order, AT_NULL last. */
	public Map<Integer, Long> auxv() {
		return auxv;
	}
}
