package org.insight.vmm.loader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.insight.symbols.DynamicInfo;
import org.insight.symbols.ElfFormatException;
import org.insight.symbols.ElfImage;
import org.insight.vmm.linux.fd.ProvidedFiles;

/**
 * The files a dynamically linked program's interpreter will open, found on the host before the run the way ld.so
 * finds them, so that they can be provided to the guest read-only (and so recorded in the trace): the interpreter
 * itself, then every DT_NEEDED library, transitively, breadth first. A library is looked for in the DT_RUNPATH
 * directories of the file that needs it (DT_RPATH when it has no DT_RUNPATH; {@code $ORIGIN} is that file's folder),
 * then in ld.so's system search path ({@link #SYSTEM_DIRS}). /etc/ld.so.cache is not provided: ld.so, finding no
 * cache, searches the same system directories, in the same order, and opens the library at the path found here.
 * <p>
 * A name already loaded is not looked for again, as ld.so matches it to the object loaded under that name. musl's
 * ld.so is its libc.so, which answers the names of its own parts with itself and searches its own system path.
 * Bounded against a hostile file: at most {@link #MAX_FILES} files, each read once (a cycle in DT_NEEDED ends), and
 * each file's dynamic section bounded by the ELF reader.
 */
public final class SharedLibraries {
	/** ld.so's system search path on Debian x86-64 (what {@code ld.so --help} lists), in its order. */
	public static final List<String> SYSTEM_DIRS = List.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
			"/lib", "/usr/lib");
	/**
	 * musl's ld.so's search path when /etc/ld-musl-x86_64.path does not exist, as in the guest, where only the provided
	 * files do (ldso/dynlink.c: "/lib:/usr/local/lib:/usr/lib").
	 */
	public static final List<String> MUSL_SYSTEM_DIRS = List.of("/lib", "/usr/local/lib", "/usr/lib");
	/** The most files (interpreter and libraries) one program may need. */
	public static final int MAX_FILES = 256;

	/** A file to provide: the path the guest's ld.so opens, and where the host has it. */
	public record Library(String guestPath, Path host) {
	}

	private final Path root;
	private String interpreterName;
	private final java.util.Set<String> names = new java.util.HashSet<>();
	private final Map<String, Library> found = new LinkedHashMap<>();

	private SharedLibraries(Path root) {
		this.root = root;
	}

	/**
	 * The files {@code program} needs at the host's paths: nothing for a static program.
	 *
	 * @throws ImageLoadException when the interpreter or a library cannot be found or read; the message names it
	 */
	public static List<Library> of(Path program, DynamicInfo dynamic) {
		return of(program, dynamic, Path.of("/"));
	}

	/** As {@link #of(Path, DynamicInfo)}, with the host's "/" at {@code root} (a test's own tree). */
	static List<Library> of(Path program, DynamicInfo dynamic, Path root) {
		if (!dynamic.isDynamic()) {
			return List.of();
		}
		SharedLibraries s = new SharedLibraries(root);
		String interpreter = dynamic.interpreter().orElseThrow();
		Path host = s.host(interpreter);
		if (!Files.isRegularFile(host)) {
			throw new ImageLoadException(program, "its interpreter " + interpreter + " (PT_INTERP) is not on this host",
					null);
		}
		s.found.put(interpreter, new Library(interpreter, host));
		s.interpreterName = interpreter.substring(interpreter.lastIndexOf('/') + 1);
		s.resolve(program, dynamic);
		return List.copyOf(s.found.values());
	}

	private void resolve(Path program, DynamicInfo programInfo) {
		Deque<Object[]> queue = new ArrayDeque<>(); // {guest path of the needer, its DynamicInfo}
		queue.add(new Object[] { ProvidedFiles.normalize("/", program.toAbsolutePath().toString()), programInfo });
		while (!queue.isEmpty()) {
			Object[] next = queue.poll();
			String needer = (String) next[0];
			DynamicInfo info = (DynamicInfo) next[1];
			for (String name : info.needed()) {
				// ld.so opens a name once: an object already loaded under that name (or ld.so itself, which libc
				// needs) answers every later DT_NEEDED of it
				if (name.equals(interpreterName) || isMuslBuiltIn(name) || !names.add(name)) {
					continue;
				}
				String guest = find(needer, info, name);
				if (guest == null) {
					throw new ImageLoadException(program, "the library " + name + " (DT_NEEDED of " + needer
							+ ") is not found in " + String.join(":", directories(needer, info)), null);
				}
				if (found.containsKey(guest)) {
					continue;
				}
				if (found.size() >= MAX_FILES) {
					throw new ImageLoadException(program, "needs more than " + MAX_FILES + " shared libraries", null);
				}
				Library library = new Library(guest, host(guest));
				found.put(guest, library);
				try {
					queue.add(new Object[] { guest, ElfImage.libraryDynamicInfo(library.host()) });
				} catch (ElfFormatException | java.io.UncheckedIOException e) {
					throw new ImageLoadException(program, "the library " + guest + " cannot be read: " + e.getMessage(),
							e);
				}
			}
		}
	}

	/**
	 * Whether musl's dynamic loader, which is musl's libc.so itself, answers {@code name} with itself: every
	 * lib{c,pthread,rt,m,dl,util,xnet}.* (musl's ldso/dynlink.c, load_library's "reserved" names), so that a program
	 * linked against libc.so or libpthread.so.0 loads no second copy.
	 */
	private boolean isMuslBuiltIn(String name) {
		if (!musl() || !name.startsWith("lib")) {
			return false;
		}
		for (String reserved : List.of("c.", "pthread.", "rt.", "m.", "dl.", "util.", "xnet.")) {
			if (name.startsWith(reserved, 3)) {
				return true;
			}
		}
		return false;
	}

	private boolean musl() {
		return interpreterName.startsWith("ld-musl-");
	}

	/** The guest path of {@code name} as ld.so finds it for {@code needer}, or null. */
	private String find(String needer, DynamicInfo info, String name) {
		if (name.isEmpty() || name.indexOf('\0') >= 0 || name.length() >= ProvidedFiles.PATH_MAX) {
			return null;
		}
		if (name.contains("/")) { // a path: opened as it is, relative to the working directory "/"
			String path = ProvidedFiles.normalize("/", name);
			return path != null && Files.isRegularFile(host(path)) ? path : null;
		}
		for (String dir : directories(needer, info)) {
			String path = ProvidedFiles.normalize("/", dir + "/" + name);
			if (path != null && Files.isRegularFile(host(path))) {
				return path;
			}
		}
		return null;
	}

	/** DT_RUNPATH (else DT_RPATH) with $ORIGIN replaced, then the system directories (musl's own, for musl). */
	private List<String> directories(String needer, DynamicInfo info) {
		List<String> dirs = new ArrayList<>();
		String origin = needer.substring(0, Math.max(1, needer.lastIndexOf('/')));
		for (String list : info.runpath().isEmpty() ? info.rpath() : info.runpath()) {
			for (String dir : list.split(":")) {
				String d = dir.replace("${ORIGIN}", origin).replace("$ORIGIN", origin);
				if (d.startsWith("/")) {
					dirs.add(d);
				}
			}
		}
		dirs.addAll(musl() ? MUSL_SYSTEM_DIRS : SYSTEM_DIRS);
		return dirs;
	}

	private Path host(String guestPath) {
		return root.resolve(guestPath.substring(1));
	}
}
