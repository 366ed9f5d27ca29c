/* Small macros and constants for the BPF programs (which cannot include
 * src/util/macros.h). */
#ifndef VIGIL_BPF_MACROS_H
#define VIGIL_BPF_MACROS_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
/* Unsigned here: BPF has no signed division. */
#define NSEC_PER_SEC 1000000000ULL

#endif
