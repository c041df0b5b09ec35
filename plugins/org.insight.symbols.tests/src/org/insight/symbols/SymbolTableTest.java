package org.insight.symbols;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SymbolTableTest {
	private static Symbol fn(String name, long address, long size) {
		return new Symbol(name, address, size, true);
	}

	private static Symbol obj(String name, long address, long size) {
		return new Symbol(name, address, size, false);
	}

	@Test
	void describeInsideAtStartAndOutside() {
		SymbolTable t = SymbolTable.of(List.of(fn("main", 0x401000, 0x40), fn("helper", 0x401040, 0x10)));
		assertEquals("main", t.describe(0x401000));
		assertEquals("main+0x1c", t.describe(0x40101c));
		assertEquals("main+0x3f", t.describe(0x40103f));
		assertEquals("helper", t.describe(0x401040));
		assertEquals("0x401050", t.describe(0x401050));
		assertEquals("0x400fff", t.describe(0x400fff));
		assertEquals(Optional.empty(), t.lookup(0));
		assertEquals(Optional.empty(), t.lookup(-1));
	}

	@Test
	void aliasesDescribeWithOnePreferredName() {
		SymbolTable t = SymbolTable.of(List.of(fn("__libc_malloc", 0x1000, 0x100), fn("malloc", 0x1000, 0x100),
				fn("__malloc", 0x1000, 0x100), obj("data", 0x1000, 8)));
		assertEquals("malloc+0x8", t.describe(0x1008));
		assertEquals(0x1000, t.byName("__libc_malloc").orElseThrow().address());
		assertEquals(4, t.size());
		assertEquals(3, t.functions().size());
	}

	@Test
	void zeroSizeFunctionCoversUpToTheNextSymbol() {
		SymbolTable t = SymbolTable.of(List.of(fn("_start", 0x1000, 0), obj("flag", 0x2000, 0), fn("f", 0x3000, 0)));
		assertEquals("_start+0xfff", t.describe(0x1fff));
		assertEquals("flag", t.describe(0x2000));
		assertEquals("0x2001", t.describe(0x2001), "a size-0 object covers only its own address");
		assertEquals("f", t.describe(0x3000));
		assertEquals("0x3001", t.describe(0x3001), "the last size-0 function covers only its address");
	}

	@Test
	void innermostSymbolWins() {
		// a big object that contains a smaller one, and a function after both
		SymbolTable t = SymbolTable.of(List.of(obj("big", 0x1000, 0x1000), obj("inner", 0x1800, 0x10),
				fn("after", 0x3000, 0x10), obj("small", 0x1100, 0x8)));
		assertEquals("inner+0x4", t.describe(0x1804));
		assertEquals("big+0x810", t.describe(0x1810), "past inner, still inside big");
		assertEquals("small+0x7", t.describe(0x1107));
		assertEquals("big+0x108", t.describe(0x1108));
		assertEquals("0x2000", t.describe(0x2000));
		assertEquals("after+0xf", t.describe(0x300f));
	}

	@Test
	void withBiasMovesEverything() {
		SymbolTable t = SymbolTable.of(List.of(fn("main", 0x1000, 0x40), obj("counter", 0x4000, 4)));
		SymbolTable moved = t.withBias(0x5555_5555_4000L);
		assertEquals("main+0x5", moved.describe(0x5555_5555_5005L));
		assertEquals(0x5555_5555_8000L, moved.byName("counter").orElseThrow().address());
		assertEquals("0x1005", moved.describe(0x1005));
		assertSame(t, t.withBias(0));
	}

	@Test
	void emptyTable() {
		assertEquals("0x401000", SymbolTable.empty().describe(0x401000));
		assertTrue(SymbolTable.of(List.of()).all().isEmpty());
		assertEquals(Optional.empty(), SymbolTable.empty().byName("main"));
	}

	@Test
	void aLazyTableReadsItsSymbolsOnceOnItsFirstQuery() {
		java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
		SymbolTable t = SymbolTable.lazy(() -> {
			reads.incrementAndGet();
			return List.of(fn("main", 0x401000, 0x40), obj("counter", 0x404000, 4));
		});
		SymbolTable moved = t.withBias(0x1000);
		assertEquals(0, reads.get());
		assertFalse(t.isLoaded());
		assertEquals("SymbolTable[not read yet]", t.toString());
		assertEquals("main+0x4", t.describe(0x401004));
		assertEquals(0x404000, t.byName("counter").orElseThrow().address());
		assertEquals("main+0x4", moved.describe(0x402004));
		assertEquals(2, moved.size());
		assertEquals(1, reads.get());
		assertTrue(t.isLoaded());
	}

	@Test
	void aLazyTableThatCannotBeReadThrowsOnEveryQueryButDescribe() {
		java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
		java.nio.file.Path file = java.nio.file.Path.of("/nowhere/prog");
		SymbolTable t = SymbolTable.lazy(() -> {
			reads.incrementAndGet();
			throw new ElfFormatException(file, "CDT's ELF reader failed");
		});
		ElfFormatException e = assertThrows(ElfFormatException.class, t::size);
		assertEquals(file, e.file());
		assertThrows(ElfFormatException.class, () -> t.byName("main"));
		assertThrows(ElfFormatException.class, () -> t.lookup(0x401000));
		assertThrows(ElfFormatException.class, () -> t.withBias(0x1000).all());
		assertEquals("0x401000", t.describe(0x401000));
		assertEquals(1, reads.get(), "the failure is kept, not retried");
	}
}
