package org.insight.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.insight.testsupport.HostTools;
import org.insight.vmm.memory.MachineLayout;
import org.insight.vmm.memory.Mman;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dynamically linked program: its interpreter loaded beside it, and the libraries found as ld.so finds them. */
class DynamicLoadingTest {
	private static final Path LD_SO = Path.of("/lib64/ld-linux-x86-64.so.2");
	@TempDir
	static Path dir;
	static Path pie;
	static Path noPie;

	@BeforeAll
	static void compile() throws Exception {
		pie = LoaderFixture.compile(dir, "gcc", "hello-dynamic", "-pie");
		noPie = LoaderFixture.compile(dir, "gcc", "hello-dynamic-no-pie", "-no-pie");
	}

	@Test
	void theInterpreterIsLoadedAtItsBaseAndRunsFirst() throws Exception {
		for (Path program : List.of(pie, noPie)) {
			try (LoaderFixture f = new LoaderFixture()) {
				ElfImage image = ElfImage.read(program);
				ElfImage ld = ElfImage.interpreter(LD_SO, Files.readAllBytes(LD_SO));
				LoadedImage loaded = ElfLoader.load(image, ld, f.space);
				long bias = program == pie ? MachineLayout.PIE_BIAS : 0;
				assertEquals(bias, loaded.bias());
				assertEquals(LoaderFixture.readelfEntry(program) + bias, loaded.entry(), "AT_ENTRY: the program's");
				assertEquals(MachineLayout.INTERPRETER_BASE, loaded.interpreterBase());
				assertEquals(LoaderFixture.readelfEntry(LD_SO) + MachineLayout.INTERPRETER_BASE, loaded.start());
				assertTrue(loaded.dynamic());
				byte[] bytes = Files.readAllBytes(LD_SO);
				for (LoadSegment s : ld.loadSegments()) {
					long at = s.vaddr() + MachineLayout.INTERPRETER_BASE;
					assertArrayEquals(java.util.Arrays.copyOfRange(bytes, (int) s.fileOffset(),
							(int) (s.fileOffset() + s.fileSize())), f.space.copyIn(at, (int) s.fileSize()), s.toString());
					assertEquals(s.executable(), (f.space.vmaAt(at).orElseThrow().prot() & Mman.PROT_EXEC) != 0);
				}
				// the brk heap follows the program, not the interpreter
				assertTrue(loaded.brkStart() < MachineLayout.INTERPRETER_BASE);
				InitialStack stack = InitialStack.write(f.space, loaded, List.of("p"), List.of(), "p", 0, new byte[16]);
				Map<Integer, Long> aux = stack.auxv();
				assertEquals(MachineLayout.INTERPRETER_BASE, aux.get(InitialStack.AT_BASE));
				assertEquals(loaded.entry(), aux.get(InitialStack.AT_ENTRY));
				assertEquals(loaded.phdr(), aux.get(InitialStack.AT_PHDR));
			}
		}
	}

	@Test
	void theHostsLibrariesAreFoundAsLdSoFindsThem() {
		List<SharedLibraries.Library> libs = SharedLibraries.of(pie, ElfImage.read(pie).dynamic());
		assertEquals(List.of("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6"),
				libs.stream().map(SharedLibraries.Library::guestPath).toList(), "libc's DT_NEEDED of ld.so is skipped");
		assertEquals(List.of(), SharedLibraries.of(pie, org.insight.symbols.DynamicInfo.NONE), "a static program");
	}

	/**
	 * musl's ld.so is its libc.so: a program's DT_NEEDED libc.so (and libpthread.so.0, libm.so.6...) is the
	 * interpreter itself, and nothing else is provided; another library is looked for in musl's own system path.
	 */
	@Test
	void muslsLoaderIsItsLibc() throws Exception {
		Path musl = Path.of("/lib/ld-musl-x86_64.so.1");
		org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(musl), "musl is not installed here");
		Path program = HostTools.compile(dir, "musl-gcc", "musl-prog", "#include <math.h>\n"
				+ "int main(int c, char **v) { (void)v; return (int)sqrt((double)c); }\n", "-pthread", "-lm");
		List<String> needed = ElfImage.read(program).dynamic().needed();
		assertTrue(needed.contains("libc.so"), "needs " + needed);
		assertEquals(List.of("/lib/ld-musl-x86_64.so.1"), SharedLibraries.of(program, ElfImage.read(program).dynamic())
				.stream().map(SharedLibraries.Library::guestPath).toList());

		Path root = dir.resolve("musl-root");
		Files.createDirectories(root.resolve("lib"));
		Files.copy(musl, root.resolve("lib/ld-musl-x86_64.so.1"));
		Path usrLib = Files.createDirectories(root.resolve("usr/lib"));
		HostTools.compile(usrLib, "musl-gcc", "libq.so", "int q(void) { return 3; }\n", "-shared", "-fPIC");
		Path withQ = HostTools.compile(dir, "musl-gcc", "musl-q", "int q(void); int main(void) { return q(); }\n",
				"-L" + usrLib, "-lq");
		assertEquals(List.of("/lib/ld-musl-x86_64.so.1", "/usr/lib/libq.so"), SharedLibraries.of(Path.of("/musl-q"),
				ElfImage.read(withQ).dynamic(), root).stream().map(SharedLibraries.Library::guestPath).toList(),
				"musl's path is /lib:/usr/local/lib:/usr/lib");
	}

	/** RUNPATH with $ORIGIN first, then the system directories; a cycle in DT_NEEDED ends; a missing one is named. */
	@Test
	void runpathCyclesAndMissingLibraries() throws Exception {
		Path root = dir.resolve("root");
		Path sys = Files.createDirectories(root.resolve("lib/x86_64-linux-gnu"));
		Path app = Files.createDirectories(root.resolve("opt/app/lib"));
		Files.createDirectories(root.resolve("lib64"));
		Files.copy(LD_SO, root.resolve("lib64/ld-linux-x86-64.so.2"));
		Files.copy(Path.of("/lib/x86_64-linux-gnu/libc.so.6"), sys.resolve("libc.so.6"));
		// libb.so needs liba.so and liba.so needs libb.so: a cycle; liba.so is in the program's RUNPATH folder
		Path b0 = HostTools.compile(dir, "gcc", "libb0.so", "int b(void) { return 2; }\n", "-shared", "-fPIC",
				"-Wl,-soname,libb.so");
		Files.copy(b0, sys.resolve("libb.so"));
		HostTools.compile(app, "gcc", "liba.so", "int b(void); int a(void) { return b(); }\n", "-shared", "-fPIC",
				"-L" + sys, "-Wl,--no-as-needed", "-lb");
		Path b = HostTools.compile(dir, "gcc", "libb.so", "int a(void); int b(void) { return 2; }\n", "-shared",
				"-fPIC", "-L" + app, "-Wl,--no-as-needed", "-la");
		Files.copy(b, sys.resolve("libb.so"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		Path program = HostTools.compile(root.resolve("opt/app"), "gcc", "prog",
				"int a(void); int main(void) { return a(); }\n", "-L" + app, "-Wl,--no-as-needed", "-la",
				"-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/lib", "-Wl,-rpath-link," + sys);
		// the program's guest path is its path under the root
		Path guestProgram = Path.of("/opt/app/prog");
		List<String> found = SharedLibraries.of(guestProgram, ElfImage.read(program).dynamic(), root).stream()
				.map(SharedLibraries.Library::guestPath).toList();
		// breadth first; libb's DT_NEEDED liba.so is not looked for again (libb has no RUNPATH: it would not be found)
		assertEquals(List.of("/lib64/ld-linux-x86-64.so.2", "/opt/app/lib/liba.so", "/lib/x86_64-linux-gnu/libc.so.6",
				"/lib/x86_64-linux-gnu/libb.so"), found);
		Files.delete(sys.resolve("libb.so"));
		ImageLoadException e = assertThrows(ImageLoadException.class,
				() -> SharedLibraries.of(guestProgram, ElfImage.read(program).dynamic(), root));
		assertTrue(e.getMessage().contains("the library libb.so (DT_NEEDED of /opt/app/lib/liba.so) is not found"),
				e.getMessage());
		Files.delete(root.resolve("lib64/ld-linux-x86-64.so.2"));
		e = assertThrows(ImageLoadException.class,
				() -> SharedLibraries.of(guestProgram, ElfImage.read(program).dynamic(), root));
		assertTrue(e.getMessage().contains("interpreter /lib64/ld-linux-x86-64.so.2 (PT_INTERP) is not on this host"),
				e.getMessage());
	}
}
