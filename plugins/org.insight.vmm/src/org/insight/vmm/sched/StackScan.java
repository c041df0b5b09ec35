package org.insight.vmm.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;

import org.insight.vmm.memory.AddressSpace;
import org.insight.vmm.memory.GuestFault;

/**
 * A short, heuristic backtrace without frame pointers or unwind tables: the words on the stack that point into code
 * just after a {@code call rel32} (E8) are taken as return addresses. Good enough to name the functions around a
 * blocked thread; a DWARF unwinder can replace it later. Reads guest memory without changing it.
 */
public final class StackScan {
	/** Words of stack looked at. */
	static final int WORDS = 256;
	private static final int CALL_REL32 = 0xE8;
	private static final int CALL_LENGTH = 5;

	private final AddressSpace memory;
	private final LongPredicate isCode;
	private final LongFunction<String> describe;

	/**
	 * @param isCode   whether an address lies in the program's executable segments
	 * @param describe an address as "function+0x1c" (the ELF symbol table)
	 */
	public StackScan(AddressSpace memory, LongPredicate isCode, LongFunction<String> describe) {
		this.memory = Objects.requireNonNull(memory, "memory");
		this.isCode = Objects.requireNonNull(isCode, "isCode");
		this.describe = Objects.requireNonNull(describe, "describe");
	}

	public String describe(long address) {
		return describe.apply(address);
	}

	/** Up to {@code max} return addresses found from {@code rsp} upwards, innermost first, described. */
	public List<String> callers(long rsp, int max) {
		return returnAddresses(rsp, max).stream().map(describe::apply).toList();
	}

	/** Up to {@code max} return addresses found from {@code rsp} upwards, innermost first. */
	public List<Long> returnAddresses(long rsp, int max) {
		List<Long> found = new ArrayList<>();
		for (int i = 0; i < WORDS && found.size() < max; i++) {
			long word;
			try {
				word = memory.readU64(rsp + 8L * i);
			} catch (GuestFault end) {
				break; // the top of the stack, or a corrupt RSP: the scan ends where the memory does
			}
			if (isReturnAddress(word)) {
				found.add(word);
			}
		}
		return found;
	}

	private boolean isReturnAddress(long word) {
		if (!isCode.test(word) || !isCode.test(word - CALL_LENGTH)) {
			return false;
		}
		try {
			return (memory.copyIn(word - CALL_LENGTH, 1)[0] & 0xff) == CALL_REL32;
		} catch (GuestFault f) {
			return false; // a code address whose page is not readable is no return address
		}
	}
}
