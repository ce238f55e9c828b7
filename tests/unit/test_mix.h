/*
 * A 64-bit mixer for tests and benchmarks that need serials (or choices)
 * that look random yet are the same on every run: splitmix64's output
 * function (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014). Distinct inputs give distinct outputs (it is a
 * bijection), so serials made from distinct numbers never collide.
 * Header only; any thread.
 */
#ifndef ENTCA_TESTS_MIX_H
#define ENTCA_TESTS_MIX_H

#include <stdint.h>

/* splitmix64 of z: a well-spread 64-bit value, the same for the same z. */
static inline uint64_t
t_mix64(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#endif
