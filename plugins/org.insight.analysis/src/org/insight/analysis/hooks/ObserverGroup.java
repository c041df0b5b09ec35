package org.insight.analysis.hooks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.insight.kvm.Regs;
import org.insight.symbols.SymbolTable;
import org.insight.vmm.machine.CodeObserver;

/**
 * Several observers on one replay (the lock hooks and the function hooks): the machine takes one
 * {@link CodeObserver}, this one shows every hit, creation and exit to each, in the order given. Each observer sees
 * the hits at the others' addresses too and ignores what is not its own (both are written so); the watches each
 * asks for are counted by the machine, so two watching one address never take each other's int3 away.
 */
public final class ObserverGroup implements CodeObserver {
	private final List<CodeObserver> members;

	public ObserverGroup(List<? extends CodeObserver> members) {
		this.members = List.copyOf(members);
	}

	/** One observer as it is, none as {@link CodeObserver#NONE}, more as a group. */
	public static CodeObserver of(List<? extends CodeObserver> observers) {
		return switch (observers.size()) {
		case 0 -> CodeObserver.NONE;
		case 1 -> observers.get(0);
		default -> new ObserverGroup(observers);
		};
	}

	@Override
	public Collection<Long> addresses() {
		Set<Long> all = new LinkedHashSet<>();
		for (CodeObserver o : members) {
			all.addAll(o.addresses());
		}
		return new ArrayList<>(all);
	}

	@Override
	public void hit(int tid, long rip, Regs regs, Control control) {
		for (CodeObserver o : members) {
			o.hit(tid, rip, regs.copy(), control);
		}
	}

	/**
	 * None: the members watch some of the same addresses (the function profile every entry), and one that needs a hit
	 * there would not get it.
	 */
	@Override
	public boolean countable(long va) {
		return false;
	}

	@Override
	public void called(int tid, long entry, long rdi, long rsp, long returnAddress, Control control) {
		for (CodeObserver o : members) {
			o.called(tid, entry, rdi, rsp, returnAddress, control);
		}
	}

	@Override
	public Collection<Long> libraryMapped(SymbolTable symbols) {
		Set<Long> all = new LinkedHashSet<>();
		for (CodeObserver o : members) {
			all.addAll(o.libraryMapped(symbols));
		}
		return new ArrayList<>(all);
	}

	@Override
	public void threadCreated(int parent, int child, long childFsBase) {
		for (CodeObserver o : members) {
			o.threadCreated(parent, child, childFsBase);
		}
	}

	@Override
	public void threadExited(int tid) {
		for (CodeObserver o : members) {
			o.threadExited(tid);
		}
	}
}
