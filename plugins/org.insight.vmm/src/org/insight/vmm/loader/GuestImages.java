package org.insight.vmm.loader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
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
 * A library is known when the guest maps a provided file from offset 0 and the file is an x86-64 shared object: ld.so
 * maps each library's whole span that way first (glibc's {@code _dl_map_segments}, musl's {@code map_library}), then
 * maps its other segments over it with MAP_FIXED. Its load bias is the mapping's address less the page of the segment
 * that starts at offset 0. A mapping is a guest syscall, so record and replay learn of each library at the same point,
 * and whatever they arm there (lock-call sync points, the analysis's hooks) is armed at the same point too. A file that
 * is not a shared object (a data file a program maps) is no image; one mapped again at the same base is known already.
 * Each file is parsed once however often it is mapped (a provided file never changes), and at most
 * {@link #MAX_LIBRARIES} libraries are followed, so a guest mapping one file again and again costs nothing more.
 * <p>
 * Names are looked up in one table over all images ({@link #symbols()}), made anew when a library comes; the images do
 * not overlap, so an address has at most one image's symbol. Not followed: a library unmapped again (dlclose), which
 * keeps its names; nothing of ours hooks an address that is no longer code, since the breakpoints follow the frames
 * ({@code CodeBreakpoints}).
 */
public final class GuestImages {
	/** At most this many libraries are followed; a guest that maps more keeps the names it has (a hostile guest). */
	static final int MAX_LIBRARIES = 256;

	/**
	 * One image where it is loaded.
	 *
	 * @param path    its path in the guest
	 * @param bias    what was added to its link-time addresses
	 * @param elf     the file
	 * @param symbols its symbols, moved by the bias
	 */
	public record Image(String path, long bias, ElfImage elf, SymbolTable symbols) {
	}

	private final LoadedImage loaded;
	private final List<Image> images = new ArrayList<>();
	private final List<Consumer<Image>> listeners = new ArrayList<>();
	/** Each provided file read once as an ELF object, by path (empty: not a shared object), however often mapped. */
	private final java.util.Map<String, java.util.Optional<ElfImage>> parsed = new java.util.HashMap<>();
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
	public Image fileMapped(String path, byte[] content, long address, long offset) {
		if (offset != 0 || content.length < 4 || content[0] != 0x7f || content[1] != 'E' || content[2] != 'L'
				|| content[3] != 'F' || images.size() > MAX_LIBRARIES) {
			return null;
		}
		ElfImage elf = parsed.computeIfAbsent(path, p -> {
			try {
				return java.util.Optional.of(ElfImage.library(Path.of(p), content));
			} catch (ElfFormatException notALibrary) {
				return java.util.Optional.empty(); // a data file, or an object ld.so will refuse: nothing to name
			}
		}).orElse(null);
		if (elf == null) {
			return null;
		}
		long first = -1;
		for (LoadSegment s : elf.loadSegments()) {
			if (s.fileOffset() == 0) {
				first = MachineLayout.pageDown(s.vaddr());
				break;
			}
		}
		if (first < 0) {
			return null;
		}
		long bias = address - first;
		for (Image i : images) {
			if (i.path().equals(path) && i.bias() == bias) {
				return null;
			}
		}
		Image library = new Image(path, bias, elf, elf.symbols().withBias(bias));
		add(library);
		for (Consumer<Image> l : listeners) {
			l.accept(library);
		}
		return library;
	}

	private void add(Image image) {
		images.add(image);
		List<SymbolTable> tables = images.stream().map(Image::symbols).toList();
		all = SymbolTable.lazy(() -> {
			List<Symbol> every = new ArrayList<>();
			for (SymbolTable t : tables) {
				try {
					every.addAll(t.all());
				} catch (RuntimeException unreadable) {
					// an image whose symbols cannot be read names nothing; the others still do
				}
			}
			return every;
		});
	}

	/** Every image, the program first, then the interpreter and the libraries in the order they were mapped. */
	public List<Image> images() {
		return Collections.unmodifiableList(images);
	}

	/** The symbols of every image, at their loaded addresses. */
	public SymbolTable symbols() {
		return all;
	}

	/** The image whose PT_LOAD segments cover {@code address}. */
	public java.util.Optional<Image> imageOf(long address) {
		for (Image i : images) {
			for (LoadSegment s : i.elf().loadSegments()) {
				if (Long.compareUnsigned(address - (s.vaddr() + i.bias()), s.memSize()) < 0) {
					return java.util.Optional.of(i);
				}
			}
		}
		return java.util.Optional.empty();
	}

	/** Whether {@code address} lies in an executable segment of an image. */
	public boolean isCode(long address) {
		for (Image i : images) {
			for (LoadSegment s : i.elf().loadSegments()) {
				long start = s.vaddr() + i.bias();
				if (s.executable() && Long.compareUnsigned(address - start, s.memSize()) < 0) {
					return true;
				}
			}
		}
		return false;
	}

	/** "pthread_mutex_lock+0x1c", or the bare address: {@link SymbolTable#describe} over every image. */
	public String describe(long address) {
		return all.describe(address);
	}
}
