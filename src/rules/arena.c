#include "rules/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define ALIGN 16

struct vg_arena_chunk {
	struct vg_arena_chunk *next;
	size_t size, used;
	_Alignas(ALIGN) unsigned char data[];
};

void vg_arena_init(struct vg_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
}

static struct vg_arena_chunk *new_chunk(struct vg_arena *a, size_t min)
{
	size_t size = min > CHUNK_SIZE ? min : CHUNK_SIZE;
	struct vg_arena_chunk *c;

	if (size > a->limit || a->used > a->limit - size)
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	c->next = a->head;
	a->head = c;
	a->used += size;
	return c;
}

void *vg_arena_alloc(struct vg_arena *a, size_t size)
{
	struct vg_arena_chunk *c = a->head;
	void *p;

	if (size == 0)
		size = 1;
	if (size > SIZE_MAX - ALIGN)
		return NULL;
	size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!c || c->size - c->used < size) {
		/* a big block gets its own chunk; the current one stays in use */
		if (size > CHUNK_SIZE / 4 && c) {
			struct vg_arena_chunk *big = new_chunk(a, size);

			if (!big)
				return NULL;
			/* keep the partly used chunk at the head for small blocks */
			a->head = big->next;
			big->next = a->head->next;
			a->head->next = big;
			big->used = size;
			memset(big->data, 0, size);
			return big->data;
		}
		c = new_chunk(a, size);
		if (!c)
			return NULL;
	}
	p = c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *vg_arena_strndup(struct vg_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = vg_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *vg_arena_grow(struct vg_arena *a, void *old, size_t old_n, size_t new_n, size_t elem)
{
	void *p;

	if (elem && new_n > SIZE_MAX / elem)
		return NULL;
	p = vg_arena_alloc(a, new_n * elem);
	if (p && old && old_n)
		memcpy(p, old, (old_n < new_n ? old_n : new_n) * elem);
	return p;
}

void vg_arena_free(struct vg_arena *a)
{
	struct vg_arena_chunk *c = a->head, *next;

	while (c) {
		next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
