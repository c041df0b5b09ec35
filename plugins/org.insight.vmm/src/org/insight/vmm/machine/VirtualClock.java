package org.insight.vmm.machine;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The guest's <em>virtual time</em>: how long guest code ran, with the VMM's exit handling left out, for the analyses'
 * wait, hold and function times (ARCHITECTURE.md section 4, "Time").
 * <p>
 * There is no PMU on the target (PLATFORM.md), so nothing counts guest instructions or cycles. What can be measured is
 * the host time of each {@code KVM_RUN}: the guest running, plus one round trip into the guest and out (the entry, the
 * exit, and for an exception the guest's CPL0 stub, which PVM emulates instruction by instruction). Time outside
 * {@code KVM_RUN} (the VMM handling the exit, a hook's observer) is never counted. The round trip is estimated per kind
 * of exit as the cheapest {@code KVM_RUN} of that kind seen before: a hook's TF step runs one instruction, so it costs
 * just the round trip, and each later run of that kind has it taken off (never below 0).
 * <p>
 * The error, documented in ARCHITECTURE.md: each run is over-counted by its round trip less the estimate (scheduling
 * noise of the host, and the first run of each kind, which has no estimate yet), and under-counted when the host was
 * briefly faster than at the cheapest run. Times are host-time measurements, so they are never deterministic and no
 * test asserts them; counts are exact. Under TCG (nested KVM) they mean nothing at all.
 */
final class VirtualClock {
	private final Map<RunStats.ExitKind, Long> roundTrip = new EnumMap<>(RunStats.ExitKind.class);
	private final Map<Integer, Long> byThread = new HashMap<>();
	private long total;

	/** Thread {@code tid} ran for one {@code KVM_RUN} of {@code nanos} host time, which ended in an exit of {@code kind}. */
	void ran(int tid, RunStats.ExitKind kind, long nanos) {
		long trip = roundTrip.getOrDefault(kind, 0L);
		long guest = Math.max(0, nanos - trip);
		if (!roundTrip.containsKey(kind) || nanos < trip) {
			roundTrip.put(kind, nanos);
		}
		total += guest;
		byThread.merge(tid, guest, Long::sum);
	}

	/** Virtual nanoseconds of every thread so far: the guest's clock. */
	long total() {
		return total;
	}

	/** Virtual nanoseconds thread {@code tid} has run so far. */
	long thread(int tid) {
		return byThread.getOrDefault(tid, 0L);
	}
}
