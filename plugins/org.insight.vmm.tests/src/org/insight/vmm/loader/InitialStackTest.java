package org.insight.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.insight.symbols.ElfImage;
import org.insight.vmm.inputs.ClockRead;
import org.insight.vmm.inputs.GuestInputs;
import org.insight.vmm.inputs.IdleWait;
import org.insight.vmm.inputs.Preemption;
import org.insight.vmm.inputs.RandomRequest;
import org.insight.vmm.inputs.StdinRead;
import org.insight.vmm.inputs.SyncPoint;
import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.insight.vmm.memory.Vma;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The initial stack decoded back from guest memory, the way libc's _start reads it. */
class InitialStackTest {
	private static final byte[] RANDOM = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	private static final long HWCAP = 0x178bfbffL;

	@TempDir
	static Path dir;
	static ElfImage image;

	private LoaderFixture f;
	private LoadedImage loaded;

	@BeforeAll
	static void compile() throws Exception {
		image = ElfImage.read(LoaderFixture.compile(dir, "gcc", "stack-glibc", "-static"));
	}

	@BeforeEach
	void load() {
		f = new LoaderFixture();
		loaded = ElfLoader.load(image, f.space);
	}

	@AfterEach
	void close() {
		f.close();
	}

	private List<String> strings(AddressSpace s, long array) {
		List<String> out = new ArrayList<>();
		for (long p = array; ; p += 8) {
			long ptr = s.readU64(p);
			if (ptr == 0) {
				return out;
			}
			out.add(s.readCString(ptr, 4095));
		}
	}

	@Test
	void argcArgvEnvpAuxvDecodeBack() {
		List<String> argv = List.of("/guest/prog", "a b", "ünïcode", "");
		List<String> env = List.of("PATH=/usr/bin:/bin", "LANG=C", "EMPTY=");
		InitialStack stack = InitialStack.write(f.space, loaded, argv, env, "/guest/prog", HWCAP, RANDOM);
		AddressSpace s = f.space;
		long rsp = stack.rsp();
		assertEquals(0, rsp % 16, "16-byte aligned at the entry point");
		assertEquals(4, s.readU64(rsp), "argc");
		assertEquals(rsp + 8, stack.argvAddress());
		assertEquals(argv, strings(s, rsp + 8));
		long envp = rsp + 8 + 8 * (argv.size() + 1);
		assertEquals(envp, stack.envpAddress());
		assertEquals(env, strings(s, envp));
		long auxv = envp + 8 * (env.size() + 1);
		assertEquals(auxv, stack.auxvAddress());

		Map<Long, Long> aux = new LinkedHashMap<>();
		for (long p = auxv; ; p += 16) {
			long type = s.readU64(p);
			aux.put(type, s.readU64(p + 8));
			if (type == 0) {
				break;
			}
		}
		assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 23L, 25L, 26L, 31L, 0L),
				List.copyOf(aux.keySet()), "the auxv entries, in Linux's order, AT_NULL last, no AT_SYSINFO_EHDR (33)");
		assertEquals(loaded.phdr(), aux.get(3L));
		assertEquals(56, aux.get(4L));
		assertEquals(image.phnum(), aux.get(5L).intValue());
		assertEquals(4096, aux.get(6L));
		assertEquals(0, aux.get(7L), "AT_BASE: no interpreter");
		assertEquals(loaded.entry(), aux.get(9L));
		assertEquals(0, aux.get(11L) | aux.get(12L) | aux.get(13L) | aux.get(14L));
		assertEquals("x86_64", s.readCString(aux.get(15L), 100));
		assertEquals(HWCAP, aux.get(16L));
		assertEquals(100, aux.get(17L));
		assertEquals(0, aux.get(23L));
		assertArrayEquals(RANDOM, s.copyIn(aux.get(25L), 16));
		assertEquals(0, aux.get(25L) % 16);
		assertEquals("/guest/prog", s.readCString(aux.get(31L), 4095));
		Map<Long, Long> reported = new LinkedHashMap<>();
		stack.auxv().forEach((k, v) -> reported.put((long) k, v));
		assertEquals(aux, reported);

		// the first program header really is at AT_PHDR: PT_LOAD, or PT_PHDR/PT_NOTE in other layouts
		int firstType = s.readU32(aux.get(3L));
		assertTrue(firstType == 1 || firstType == 4 || firstType == 6, "p_type " + firstType);
		assertEquals(0, s.readU64(MachineLayout.STACK_TOP - 8), "the end marker at the top");
		assertEquals(new Vma(MachineLayout.STACK_TOP - MachineLayout.STACK_SIZE, MachineLayout.STACK_TOP,
				Mman.PROT_READ | Mman.PROT_WRITE, Vma.Kind.STACK), s.vmaAt(rsp).orElseThrow());
		assertTrue(MachineLayout.STACK_TOP - rsp < 4096, "everything fits in the top page here");
	}

	@Test
	void randomBytesComeFromTheInputs() {
		List<RandomRequest> asked = new ArrayList<>();
		GuestInputs inputs = new GuestInputs() {
			@Override
			public byte[] random(RandomRequest request) {
				asked.add(request);
				return RANDOM.clone();
			}

			@Override
			public long clockNanos(ClockRead read) {
				throw new AssertionError("not asked");
			}

			@Override
			public long tsc(org.insight.vmm.inputs.TscRead read) {
				throw new AssertionError("not asked");
			}

			@Override
			public int readStdin(StdinRead read, byte[] dst) {
				throw new AssertionError("not asked");
			}

			@Override
			public long outputResult(org.insight.vmm.inputs.OutputWrite write, long hostResult) {
				throw new AssertionError("not asked");
			}

			@Override
			public int schedule(SyncPoint point, List<Integer> runnable) {
				throw new AssertionError("not asked");
			}

			@Override
			public boolean preempt(Preemption point, List<Integer> otherRunnable) {
				throw new AssertionError("not asked");
			}

			@Override
			public void idle(IdleWait wait) {
				throw new AssertionError("not asked");
			}
		};
		InitialStack stack = InitialStack.write(f.space, loaded, List.of("p"), List.of(), "p", 0, inputs, 1000);
		assertEquals(List.of(new RandomRequest(1000, 16, RandomRequest.Purpose.AT_RANDOM)), asked);
		assertArrayEquals(RANDOM, f.space.copyIn(stack.auxv().get(InitialStack.AT_RANDOM), 16));
	}

	@Test
	void linuxLimitsOnArguments() {
		String huge = "x".repeat(InitialStack.MAX_STRING);
		IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
				() -> InitialStack.write(f.space, loaded, List.of("p", huge), List.of(), "p", 0, RANDOM));
		assertEquals("argv string of 131072 bytes is longer than Linux allows (131071, E2BIG)", tooLong.getMessage());
		List<String> many = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			many.add("V" + i + "=" + "y".repeat(60_000));
		}
		IllegalArgumentException tooMuch = assertThrows(IllegalArgumentException.class,
				() -> InitialStack.write(f.space, loaded, List.of("p"), many, "p", 0, RANDOM));
		assertTrue(tooMuch.getMessage().endsWith("more than Linux allows (2097152, E2BIG)"), tooMuch.getMessage());
		assertThrows(IllegalArgumentException.class,
				() -> InitialStack.write(f.space, loaded, List.of("a\0b"), List.of(), "p", 0, RANDOM));
		assertThrows(IllegalArgumentException.class,
				() -> InitialStack.write(f.space, loaded, List.of("p"), List.of(), "p", 0, new byte[8]));
	}

	@Test
	void largeArgumentsSpanPages() {
		List<String> env = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			env.add("K" + i + "=" + "z".repeat(1000 + i));
		}
		InitialStack stack = InitialStack.write(f.space, loaded, List.of("p", "q"), env, "p", 0, RANDOM);
		assertEquals(env, strings(f.space, stack.envpAddress()));
		assertEquals(List.of("p", "q"), strings(f.space, stack.argvAddress()));
		assertFalse(MachineLayout.STACK_TOP - stack.rsp() < 4096);
	}
}
