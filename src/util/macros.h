/* Small macros and constants used across vigil's user-space code, so a
 * reader sees what a number means instead of counting zeros. */
#ifndef VIGIL_UTIL_MACROS_H
#define VIGIL_UTIL_MACROS_H

/* Number of elements of an array (never use it on a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Nanoseconds per second, signed 64-bit as the kernel's. */
#define NSEC_PER_SEC 1000000000LL

#endif
