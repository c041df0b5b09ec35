package org.insight.analysis;

import java.util.Objects;

/**
 * A lock of the guest: its address and what it is. Two locks are the same when their addresses are (a lock destroyed
 * and another made at the same place is, as for Helgrind and lockdep, the same lock).
 *
 * @param address where the lock object is in guest memory
 * @param kind    "mutex", "rwlock", "spinlock"
 */
public record LockRef(long address, String kind) {
	public LockRef {
		Objects.requireNonNull(kind, "kind");
	}

	@Override
	public boolean equals(Object o) {
		return o instanceof LockRef l && l.address == address;
	}

	@Override
	public int hashCode() {
		return Long.hashCode(address);
	}
}
