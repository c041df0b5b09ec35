package org.insight.replay.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.insight.kvm.Cpuid;

/**
 * The header's guest-CPUID field (TRACE-FORMAT.md, "Header block"): whether a table is present, then its entries,
 * each as seven unsigned 32-bit varints (function, index, flags, EAX, EBX, ECX, EDX). A reader checks the count
 * against KVM's own limit and every value against 32 bits.
 */
final class CpuidCodec {
	/** KVM_MAX_CPUID_ENTRIES: no KVM gives or takes a longer table. */
	static final int MAX_ENTRIES = 256;

	private CpuidCodec() {
	}

	static void encode(Optional<Cpuid> table, FieldWriter w) {
		w.bool(table.isPresent());
		if (table.isEmpty()) {
			return;
		}
		List<Cpuid.Entry> entries = table.get().entries();
		w.varLong(entries.size());
		for (Cpuid.Entry e : entries) {
			for (int v : new int[] { e.function(), e.index(), e.flags(), e.eax(), e.ebx(), e.ecx(), e.edx() }) {
				w.varLong(v & 0xffff_ffffL);
			}
		}
	}

	static Optional<Cpuid> decode(FieldReader r) {
		if (!r.bool()) {
			return Optional.empty();
		}
		int n = r.count(MAX_ENTRIES, "guest CPUID entry count");
		List<Cpuid.Entry> entries = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			int[] v = new int[7];
			for (int j = 0; j < v.length; j++) {
				int at = r.position();
				long x = r.varLong();
				if (x < 0 || x > 0xffff_ffffL) {
					throw new MalformedFieldException(at, "guest CPUID entry " + i + " value "
							+ Long.toUnsignedString(x) + " does not fit 32 bits");
				}
				v[j] = (int) x;
			}
			entries.add(new Cpuid.Entry(v[0], v[1], v[2], v[3], v[4], v[5], v[6]));
		}
		return Optional.of(new Cpuid(entries));
	}
}
