/* A bump allocator: everything the rule engine builds at load and compile
 * time lives in an arena and is freed at once, so error paths never leak and
 * evaluation never allocates. Every arena has a byte limit. */
#ifndef VIGIL_RULES_ARENA_H
#define VIGIL_RULES_ARENA_H

#include <stddef.h>

struct vg_arena_chunk;

struct vg_arena {
	struct vg_arena_chunk *head;
	size_t used;  /* bytes handed out plus chunk overhead */
	size_t limit; /* allocation fails past this */
};

void vg_arena_init(struct vg_arena *a, size_t limit);
/* Zeroed, aligned for any type; NULL when out of memory or over the limit. */
void *vg_arena_alloc(struct vg_arena *a, size_t size);
/* Copies n bytes and adds a NUL. */
char *vg_arena_strndup(struct vg_arena *a, const char *s, size_t n);
/* Grows an array kept in the arena (the old block is abandoned, so the waste
 * stays below the final size). */
void *vg_arena_grow(struct vg_arena *a, void *old, size_t old_n, size_t new_n, size_t elem);
void vg_arena_free(struct vg_arena *a);

#endif
