package org.insight.vmm.loader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import org.insight.symbols.ElfFormatException;
import org.insight.symbols.ElfImage;
import org.insight.symbols.LoadSegment;
import org.insight.symbols.Symbol;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.memory.MachineLayout;

/**
 * The ELF images in the guest's address space, and the symbols that name its addresses: the program, its interpreter
 * (ld.so), and every shared library the interpreter maps (ARCHITECTURE.md section 2, Loading). A static program is one
 * image, and its table is the program's own, read as lazily as before.
 * <p>
 * A library is known when the guest maps a provided shared object the way ld.so maps one first: from offset 0, the
 * whole span of its PT_LOAD segments at once (glibc's {@code _dl_map_segments}, musl's {@code map_library}), before
 * mapping its other segments over that span with MAP_FIXED. Its load bias is the mapping's address less the first
 * segment's page. A mapping is a guest syscall, so record and replay learn of each library at the same point, and
 * whatever they arm there (lock-call sync points, the analysis's hooks) is armed at the same point too; our int3s go
 * only into pages mapped as code ({@code CodeBreakpoints}), so a span mapped read-only first gets them once its code is
 * mapped. Other mappings of a file make no image: a part of it (libbacktrace reading a header), a data file, a mapping
 * inside a known image (a segment mapped over the span), or the same file again beyond {@link #MAX_PER_FILE}.
 * <p>
 * Names are looked up in one table over all images ({@link #symbols()}), made anew when a library comes; the images do
 * not overlap, so an address has at most one image's symbol. A library whose symbols cannot be read (CDT refuses
 * them) names nothing; the same bytes fail the same way at a replay. Not followed: a library unmapped again
 * (dlclose), which keeps its names; its hooks are never written again, since what comes there later is no code of it.
 */
public final class GuestImages {
	/** At most this many libraries are followed; a guest that maps more keeps the names it has (a hostile guest). */
	static final int MAX_LIBRARIES = 256;
	/** At most this many images of one file (a library loaded again after a dlclose). */
	static final int MAX_PER_FILE = 4;

	/**
	 * One image where it is loaded.
	 *
	 * @param path    its path in the guest
	 * @param bias    what was added to its link-time addresses
	 * @param elf     the file
	 * @param symbols its symbols, moved by the bias
	 */
	public record Image(String path, long bias, ElfImage elf, SymbolTable symbols) {
		/** Whether an address lies in one of its PT_LOAD segments. */
		boolean covers(long address) {
			for (LoadSegment s : elf.loadSegments()) {
				if (Long.compareUnsigned(address - (s.vaddr() + bias), s.memSize()) < 0) {
					return true;
				}
			}
			return false;
		}

		/** Whether an address lies in one of its executable segments. */
		boolean coversCode(long address) {
			for (LoadSegment s : elf.loadSegments()) {
				if (s.executable() && Long.compareUnsigned(address - (s.vaddr() + bias), s.memSize()) < 0) {
					return true;
				}
			}
			return false;
		}
	}

	private final LoadedImage loaded;
	private final List<Image> images = new ArrayList<>();
	private final List<Consumer<Image>> listeners = new ArrayList<>();
	/** Each provided file read once as an ELF object, by path (empty: not a shared object), however often mapped. */
	private final Map<String, Optional<ElfImage>> parsed = new HashMap<>();
	private volatile SymbolTable all;

	private GuestImages(LoadedImage loaded, Image program) {
		this.loaded = loaded;
		images.add(program);
		all = program.symbols();
	}

	/** The program as loaded, and its interpreter if it has one. */
	public static GuestImages of(LoadedImage loaded, String programPath) {
		GuestImages g = new GuestImages(loaded, new Image(programPath, loaded.bias(), loaded.image(),
				loaded.symbols()));
		loaded.interpreter().ifPresent(i -> g.add(new Image(i.file().toString(), loaded.interpreterBase(), i,
				i.symbols().withBias(loaded.interpreterBase()))));
		return g;
	}

	/** The program as the loader placed it. */
	public LoadedImage loaded() {
		return loaded;
	}

	/** {@code listener} hears of every library mapped from now on (the program and interpreter are there already). */
	public void onLibrary(Consumer<Image> listener) {
		listeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * The guest mapped {@code length} bytes of the provided file {@code path} (its whole {@code content}) from
	 * {@code offset} at {@code address}. Returns the library this makes known, or null.
	 */
	public Image fileMapped(String path, byte[] content, long address, long length, long offset) {
		if (offset != 0 || images.size() > MAX_LIBRARIES || imageOf(address).isPresent()) {
			return null;
		}
		ElfImage elf = parsed.computeIfAbsent(path, p -> parse(p, content)).orElse(null);
		long[] span = elf == null ? null : span(elf);
		if (span == null || MachineLayout.pageUp(length) != span[1] - span[0]
				|| images.stream().filter(i -> i.path().equals(path)).count() >= MAX_PER_FILE) {
			return null;
		}
		Image library = new Image(path, address - span[0], elf, elf.symbols().withBias(address - span[0]));
		add(library);
		for (Consumer<Image> l : listeners) {
			l.accept(library);
		}
		return library;
	}

	private static Optional<ElfImage> parse(String path, byte[] content) {
		if (content.length < 4 || content[0] != 0x7f || content[1] != 'E' || content[2] != 'L' || content[3] != 'F') {
			return Optional.empty();
		}
		try {
			return Optional.of(ElfImage.library(Path.of(path), content));
		} catch (ElfFormatException notALibrary) {
			return Optional.empty(); // an object ld.so will refuse too: nothing to name
		}
	}

	/**
	 * The page-rounded range its PT_LOAD segments cover, link-time addresses, {start, end}, as ld.so maps it first;
	 * null when the first segment does not start in the file's first page (ld.so maps from ALIGN_DOWN(p_offset)).
	 */
	private static long[] span(ElfImage elf) {
		List<LoadSegment> loads = elf.loadSegments();
		if (loads.isEmpty() || MachineLayout.pageDown(loads.get(0).fileOffset()) != 0) {
			return null;
		}
		long end = 0;
		for (LoadSegment s : loads) {
			end = Math.max(end, MachineLayout.pageUp(s.vaddr() + s.memSize()));
		}
		return new long[] { MachineLayout.pageDown(loads.get(0).vaddr()), end };
	}

	private void add(Image image) {
		images.add(image);
		List<Image> now = List.copyOf(images);
		all = SymbolTable.lazy(() -> {
			List<Symbol> every = new ArrayList<>();
			for (Image i : now) {
				try {
					every.addAll(i.symbols().all());
				} catch (ElfFormatException unreadable) {
					if (i == now.get(0)) {
						throw unreadable; // the program's own: every query says so, as before libraries were named
					}
					// a library whose symbols CDT refuses names nothing; the same bytes fail alike at a replay
				}
			}
			return every;
		});
	}

	/** Every image, the program first, then the interpreter and the libraries in the order they were mapped. */
	public List<Image> images() {
		return Collections.unmodifiableList(images);
	}

	/** The image whose PT_LOAD segments cover {@code address}. */
	public Optional<Image> imageOf(long address) {
		return images.stream().filter(i -> i.covers(address)).findFirst();
	}

	/** Whether {@code address} lies in an executable segment of an image. */
	public boolean isCode(long address) {
		return images.stream().anyMatch(i -> i.coversCode(address));
	}

	/** The symbols of every image, at their loaded addresses. */
	public SymbolTable symbols() {
		return all;
	}

	/** "pthread_mutex_lock+0x1c", or the bare address: {@link SymbolTable#describe} over every image. */
	public String describe(long address) {
		return all.describe(address);
	}
}
