/* Open-addressing hash table (linear probing) of ph_item_key -> add stamp.
 * Items are never deleted one by one; ph_store_gc() rebuilds the table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ph/ph_store.h"

struct ph_slot {
	struct ph_item_key key;
	__u64 stamp;
	int used;
};

struct ph_store {
	struct ph_slot *slots;
	size_t cap; /* power of two */
	size_t count;
	size_t max_items;
	__u64 epoch; /* ph_epoch(): bumped when a profile's state changes */
};

#define PH_STORE_MIN_CAP 1024

static __u64 ph_key_hash(const struct ph_item_key *k)
{
	__u64 h = k->item * 0x9e3779b97f4a7c15ULL;

	h ^= ((__u64)k->gen << 32 | k->profile) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

static int ph_key_equal(const struct ph_item_key *a, const struct ph_item_key *b)
{
	return a->item == b->item && a->profile == b->profile && a->gen == b->gen;
}

struct ph_store *ph_store_new(size_t max_items)
{
	struct ph_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cap = PH_STORE_MIN_CAP;
	st->max_items = max_items;
	st->slots = calloc(st->cap, sizeof(*st->slots));
	if (!st->slots) {
		free(st);
		return NULL;
	}
	return st;
}

void ph_store_free(struct ph_store *store)
{
	if (!store)
		return;
	free(store->slots);
	free(store);
}

size_t ph_store_count(const struct ph_store *store)
{
	return store->count;
}

static struct ph_slot *ph_find_slot(struct ph_slot *slots, size_t cap, const struct ph_item_key *k)
{
	size_t i = ph_key_hash(k) & (cap - 1);

	while (slots[i].used && !ph_key_equal(&slots[i].key, k))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

/* Move every slot that `keep` accepts into a table of new_cap slots. */
static int ph_rebuild(struct ph_store *st, size_t new_cap, const struct ph_profile *drop_from)
{
	struct ph_slot *slots = calloc(new_cap, sizeof(*slots));
	size_t count = 0;

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < st->cap; i++) {
		const struct ph_slot *s = &st->slots[i];

		if (!s->used)
			continue;
		if (drop_from && s->key.profile == drop_from->id &&
		    s->key.gen != drop_from->train_gen && s->key.gen != drop_from->test_gen)
			continue;
		*ph_find_slot(slots, new_cap, &s->key) = *s;
		count++;
	}
	free(st->slots);
	st->slots = slots;
	st->cap = new_cap;
	st->count = count;
	return 0;
}

int ph_item_lookup(struct ph_store *store, const struct ph_item_key *key, __u64 *stamp)
{
	const struct ph_slot *s = ph_find_slot(store->slots, store->cap, key);

	if (!s->used)
		return -ENOENT;
	*stamp = s->stamp;
	return 0;
}

__u64 ph_epoch(struct ph_store *store)
{
	return store->epoch;
}

void ph_epoch_bump(struct ph_store *store)
{
	store->epoch++;
}

int ph_item_insert(struct ph_store *store, const struct ph_item_key *key, __u64 stamp)
{
	struct ph_slot *s = ph_find_slot(store->slots, store->cap, key);

	if (s->used)
		return 0;
	if (store->count >= store->max_items)
		return -ENOSPC;
	/* keep the load factor at or below 1/2 */
	if ((store->count + 1) * 2 > store->cap) {
		int err = ph_rebuild(store, store->cap * 2, NULL);

		if (err)
			return err;
		s = ph_find_slot(store->slots, store->cap, key);
	}
	s->key = *key;
	s->stamp = stamp;
	s->used = 1;
	store->count++;
	return 0;
}

size_t ph_store_count_items(const struct ph_store *store, __u64 profile, __u32 gen, __u32 kind)
{
	size_t n = 0;

	for (size_t i = 0; i < store->cap; i++) {
		const struct ph_item_key *k = &store->slots[i].key;

		if (store->slots[i].used && k->profile == profile && k->gen == gen &&
		    ph_item_kind(k->item) == kind)
			n++;
	}
	return n;
}

int ph_store_gc(struct ph_store *store, const struct ph_profile *prof)
{
	return ph_rebuild(store, store->cap, prof);
}
