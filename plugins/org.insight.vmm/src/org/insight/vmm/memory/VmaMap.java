package org.insight.vmm.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The VMAs of an address space, by start address, never overlapping. Neighbours with the same protection and kind
 * are merged, so a program that mprotects a heap page by page does not leave a trail of tiny areas.
 */
final class VmaMap {
	private final TreeMap<Long, Vma> byStart = new TreeMap<>();

	/** The VMA containing {@code va}, or null. */
	Vma find(long va) {
		Map.Entry<Long, Vma> e = byStart.floorEntry(va);
		return e != null && e.getValue().contains(va) ? e.getValue() : null;
	}

	/** The VMAs that intersect {@code [start, end)}, in address order. */
	List<Vma> overlapping(long start, long end) {
		List<Vma> result = new ArrayList<>();
		Map.Entry<Long, Vma> first = byStart.floorEntry(start);
		Long from = first != null && first.getValue().end() > start ? first.getKey() : Long.valueOf(start);
		for (Vma v : byStart.subMap(from, true, end, false).values()) {
			if (v.end() > start) {
				result.add(v);
			}
		}
		return result;
	}

	boolean isFree(long start, long end) {
		return overlapping(start, end).isEmpty();
	}

	/** The first VMA that starts at or after {@code va}, or null. */
	Vma next(long va) {
		Map.Entry<Long, Vma> e = byStart.ceilingEntry(va);
		return e == null ? null : e.getValue();
	}

	/** Adds an area over free space, merging it with equal neighbours. */
	void insert(Vma vma) {
		if (!isFree(vma.start(), vma.end())) {
			throw new IllegalStateException("VMA " + vma + " overlaps " + overlapping(vma.start(), vma.end()));
		}
		long start = vma.start();
		long end = vma.end();
		Map.Entry<Long, Vma> before = byStart.lowerEntry(start);
		if (before != null && before.getValue().end() == start && same(before.getValue(), vma)) {
			start = before.getKey();
			byStart.remove(start);
		}
		Vma after = byStart.get(end);
		if (after != null && same(after, vma)) {
			end = after.end();
			byStart.remove(after.start());
		}
		byStart.put(start, vma.withRange(start, end));
	}

	private static boolean same(Vma a, Vma b) {
		return a.prot() == b.prot() && a.kind() == b.kind();
	}

	/** Removes {@code [start, end)} from every area, splitting the ones it cuts; returns the removed pieces. */
	List<Vma> remove(long start, long end) {
		List<Vma> removed = new ArrayList<>();
		for (Vma v : overlapping(start, end)) {
			byStart.remove(v.start());
			if (v.start() < start) {
				byStart.put(v.start(), v.withRange(v.start(), start));
			}
			if (v.end() > end) {
				byStart.put(end, v.withRange(end, v.end()));
			}
			removed.add(v.withRange(Math.max(v.start(), start), Math.min(v.end(), end)));
		}
		return removed;
	}

	/** Highest {@code a} with {@code [a, a+length)} free inside {@code [low, high)}, or -1. */
	long gapTopDown(long length, long low, long high) {
		long ceiling = high;
		for (Vma v : byStart.headMap(high, false).descendingMap().values()) {
			if (ceiling - Math.max(v.end(), low) >= length) {
				return ceiling - length;
			}
			ceiling = Math.min(ceiling, v.start());
			if (ceiling - low < length) {
				return -1;
			}
		}
		return ceiling - low >= length ? ceiling - length : -1;
	}

	/** Lowest {@code a} with {@code [a, a+length)} free inside {@code [low, high)}, or -1. */
	long gapBottomUp(long length, long low, long high) {
		long candidate = low;
		Vma containing = find(low);
		if (containing != null) {
			candidate = containing.end();
		}
		for (Vma v : byStart.tailMap(candidate, true).values()) {
			if (v.start() >= high) {
				break;
			}
			if (v.start() - candidate >= length) {
				return candidate;
			}
			candidate = Math.max(candidate, v.end());
		}
		return high - candidate >= length ? candidate : -1;
	}

	List<Vma> all() {
		return List.copyOf(byStart.values());
	}

	int size() {
		return byStart.size();
	}
}
