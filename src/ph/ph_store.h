/* User-space storage of pH profile items: the hash table behind the
 * ph_item_lookup() / ph_item_insert() hooks of ph_model.h. The kernel side
 * maps the same hooks to a BPF hash map. */
#ifndef VIGIL_PH_STORE_H
#define VIGIL_PH_STORE_H
#include <stddef.h>

#include "ph/ph_model.h"

#define PH_STORE_MAX_DEFAULT (4u << 20) /* items; the table then has 8M slots of 40 B (320 MiB) */

/* An empty store that will hold at most max_items items; NULL if out of memory. */
struct ph_store *ph_store_new(size_t max_items);
void ph_store_free(struct ph_store *store);
size_t ph_store_count(const struct ph_store *store);
/* Items of one profile's generation and kind. */
size_t ph_store_count_items(const struct ph_store *store, __u64 profile, __u32 gen, __u32 kind);
/* Drop the generations of prof that are neither its training nor its test
 * data (left behind by tolerize resets). Returns 0 or -ENOMEM. */
int ph_store_gc(struct ph_store *store, const struct ph_profile *prof);

#endif
