package org.insight.vmm.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.insight.symbols.ElfImage;
import org.insight.testsupport.GuestManifest;
import org.insight.vmm.sched.LockFunction.LockAction;
import org.insight.vmm.sched.LockFunction.LockObject;
import org.junit.jupiter.api.Test;

/** The lock functions of real guest binaries, glibc and musl, as {@code --mode locks} hooks them. */
class LockFunctionsTest {
	private static Set<String> names(String libc, String program) {
		LockFunctions found = LockFunctions.find(ElfImage.read(GuestManifest.binary(libc, program)).symbols());
		return found.all().stream().map(LockFunction::name).collect(Collectors.toSet());
	}

	@Test
	void theProducerConsumerSampleHasItsMutexAndConditionFunctions() {
		for (String libc : GuestManifest.LIBCS) {
			theProducerConsumerSampleHasItsMutexAndConditionFunctionsIn(libc);
		}
	}

	private static void theProducerConsumerSampleHasItsMutexAndConditionFunctionsIn(String libc) {
		Set<String> found = names(libc, "prodcons");
		for (String n : List.of("pthread_mutex_lock", "pthread_mutex_unlock", "pthread_cond_wait",
				"pthread_cond_signal")) {
			assertTrue(found.contains(n), libc + " prodcons: " + n + " missing from " + found);
		}
	}

	@Test
	void theSemaphoreAndRwlockTestsHaveTheirs() {
		for (String libc : GuestManifest.LIBCS) {
			theSemaphoreAndRwlockTestsHaveTheirsIn(libc);
		}
	}

	private static void theSemaphoreAndRwlockTestsHaveTheirsIn(String libc) {
		assertTrue(names(libc, "semaphore").containsAll(Set.of("sem_wait", "sem_post")), libc);
		assertTrue(names(libc, "rwlock").containsAll(Set.of("pthread_rwlock_rdlock", "pthread_rwlock_wrlock",
				"pthread_rwlock_unlock")), libc);
	}

	/**
	 * musl's hello links no lock function. glibc's does (its loader-lock and stdio paths call pthread_mutex_lock),
	 * so a glibc program stops at those calls in {@code --mode locks} too, deterministically.
	 */
	@Test
	void aSingleThreadedMuslProgramHasNone() {
		assertEquals(Set.of(), names("musl", "hello"));
		assertTrue(names("glibc", "hello").contains("pthread_mutex_lock"));
	}

	@Test
	void everyFunctionHasItsOwnAddressAndItsCatalogueMeaning() {
		for (String libc : GuestManifest.LIBCS) {
			everyFunctionHasItsOwnAddressAndItsCatalogueMeaningIn(libc);
		}
	}

	private static void everyFunctionHasItsOwnAddressAndItsCatalogueMeaningIn(String libc) {
		LockFunctions found = LockFunctions.find(ElfImage.read(GuestManifest.binary(libc, "prodcons")).symbols());
		assertEquals(found.size(), found.all().stream().map(LockFunction::address).distinct().count());
		LockFunction lock = found.all().stream().filter(f -> f.name().equals("pthread_mutex_lock")).findFirst()
				.orElseThrow();
		assertEquals(LockObject.MUTEX, lock.object());
		assertEquals(LockAction.ACQUIRE, lock.action());
		assertEquals(found.at(lock.address()).orElseThrow(), lock);
	}
}
