package org.insight.analysis.deadlock;

import org.insight.analysis.LockRef;

/** How a report names a lock: "forks+24" (data symbol and decimal offset), or its address. */
@FunctionalInterface
public interface Names {
	String of(LockRef lock);

	/** By address only. */
	Names ADDRESSES = l -> "0x" + Long.toHexString(l.address());
}
