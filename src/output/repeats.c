/* See repeats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/repeats.h"
#include "util/macros.h"

struct slot {
	uint64_t key;	   /* 0 = free */
	uint64_t sent_ns;  /* wall time of the alert sent */
	uint64_t last_ns;  /* of the last repeat */
	uint64_t count;	   /* repeats folded since */
	struct vg_alert a; /* a copy of the alert sent, for the summary */
	struct vg_fields *fields;
	char *strings; /* rule, priority, output, tags, source, hostname */
	const char **tags;
};

struct vg_repeats {
	uint64_t window_ns;
	uint64_t folded;
	struct slot slot[VG_REPEATS_SLOTS];
};

struct vg_repeats *vg_repeats_new(uint64_t window_ns)
{
	struct vg_repeats *r = calloc(1, sizeof(*r));

	if (r)
		r->window_ns = window_ns;
	return r;
}

static void release(struct slot *s)
{
	free(s->fields);
	free(s->strings);
	free(s->tags);
	memset(s, 0, sizeof(*s));
}

void vg_repeats_free(struct vg_repeats *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < VG_REPEATS_SLOTS; i++)
		release(&r->slot[i]);
	free(r);
}

uint64_t vg_repeats_folded(const struct vg_repeats *r)
{
	return r ? r->folded : 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool vg_repeats_ignored_field(const char *key)
{
	/* times, counters, process and thread ids, descriptor numbers */
	return !strncmp(key, "evt.time", 8) || !strcmp(key, "evt.rawtime") ||
	       !strcmp(key, "evt.datetime") || !strcmp(key, "evt.num") ||
	       !strncmp(key, "proc.apid", 9) || ends_with(key, "pid") || ends_with(key, "tid") ||
	       !strcmp(key, "fd.num") || !strcmp(key, "evt.arg.fd") || !strcmp(key, "evt.rawres");
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull; /* FNV-1a */
	return (h ^ 0xff) * 0x100000001b3ull;   /* a separator */
}

static uint64_t key_of(const struct vg_alert *a, const char *exe)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = mix(h, a->rule, strlen(a->rule));
	h = mix(h, exe, strlen(exe));
	for (int i = 0; a->fields && i < a->fields->n; i++) {
		const struct vg_kv *kv = &a->fields->kv[i];

		if (vg_repeats_ignored_field(kv->key))
			continue;
		h = mix(h, kv->key, strlen(kv->key));
		h = mix(h, &kv->kind, sizeof(kv->kind));
		if (kv->kind == VG_KV_STR)
			h = mix(h, kv->s, kv->s_len);
		else
			h = mix(h, &kv->i, sizeof(kv->i));
	}
	return h ? h : 1;
}

/* Strings laid one after the other in one allocation. */
static char *put(char **p, const char *s)
{
	char *d = *p;
	size_t n = strlen(s) + 1;

	memcpy(d, s, n);
	*p += n;
	return d;
}

static bool keep(struct slot *s, const struct vg_alert *a)
{
	size_t n = strlen(a->rule) + strlen(a->priority) + strlen(a->output) +
		   strlen(a->source ? a->source : "") + strlen(a->hostname ? a->hostname : "") + 5;
	struct vg_fields *f = malloc(sizeof(*f));
	char *p;

	for (int i = 0; i < a->ntags; i++)
		n += strlen(a->tags[i]) + 1;
	s->strings = malloc(n);
	s->tags = calloc((size_t)a->ntags + 1, sizeof(*s->tags));
	if (!f || !s->strings || !s->tags) {
		free(f);
		return false;
	}
	p = s->strings;
	s->a = *a;
	s->a.rule = put(&p, a->rule);
	s->a.priority = put(&p, a->priority);
	s->a.output = put(&p, a->output);
	s->a.source = put(&p, a->source ? a->source : "");
	s->a.hostname = put(&p, a->hostname ? a->hostname : "");
	for (int i = 0; i < a->ntags; i++)
		s->tags[i] = put(&p, a->tags[i]);
	s->a.tags = s->tags;
	/* the fields: keys and values copied into the copy's own buffer */
	f->n = 0;
	f->used = 0;
	for (int i = 0; a->fields && i < a->fields->n && f->n < VG_FIELDS_MAX - 1; i++) {
		const struct vg_kv *kv = &a->fields->kv[i];
		size_t kl = strlen(kv->key) + 1, vl = kv->kind == VG_KV_STR ? kv->s_len : 0;
		struct vg_kv *d = &f->kv[f->n];

		if (f->used + kl + vl + 1 > sizeof(f->buf))
			break;
		*d = *kv;
		d->key = memcpy(f->buf + f->used, kv->key, kl);
		f->used += kl;
		if (kv->kind == VG_KV_STR) {
			d->s = memcpy(f->buf + f->used, kv->s, vl);
			f->buf[f->used + vl] = 0;
			f->used += vl + 1;
		}
		f->n++;
	}
	s->fields = f;
	s->a.fields = f;
	return true;
}

/* The summary of a slot with repeats, then the slot is free again. */
static void summarise(struct vg_repeats *r, struct slot *s, vg_alert_fn send, void *ctx)
{
	char out[4096];

	if (s->count && s->fields) {
		struct vg_alert a = s->a;

		s->fields->kv[s->fields->n++] = (struct vg_kv){ .key = "vigil.repeats",
								.kind = VG_KV_INT,
								.i = (int64_t)s->count };
		snprintf(out, sizeof(out), "%s (repeated %llu more times in %llu s)", s->a.output,
			 (unsigned long long)s->count,
			 (unsigned long long)((s->last_ns - s->sent_ns + 999999999ull) / NSEC_PER_SEC));
		a.output = out;
		a.time_ns = s->last_ns;
		send(ctx, &a);
	}
	(void)r;
	release(s);
}

bool vg_repeats_fold(struct vg_repeats *r, const struct vg_alert *a, const char *exe,
		     vg_alert_fn send, void *ctx)
{
	struct slot *s, *free_slot = NULL, *oldest = NULL;
	uint64_t key;

	if (!r || !r->window_ns)
		return false;
	key = key_of(a, exe ? exe : "");
	for (unsigned i = 0; i < VG_REPEATS_SLOTS; i++) {
		s = &r->slot[i];
		if (s->key == key && a->time_ns < s->sent_ns + r->window_ns) {
			s->count++;
			if (a->time_ns > s->last_ns)
				s->last_ns = a->time_ns;
			r->folded++;
			return true;
		}
		if (!s->key && !free_slot)
			free_slot = s;
		if (s->key && (!oldest || s->sent_ns < oldest->sent_ns))
			oldest = s;
	}
	/* a window that ended but was not flushed yet is summarised first */
	for (unsigned i = 0; i < VG_REPEATS_SLOTS; i++)
		if (r->slot[i].key == key)
			summarise(r, &r->slot[i], send, ctx);
	if (!free_slot) {
		summarise(r, oldest, send, ctx);
		free_slot = oldest;
	}
	if (keep(free_slot, a)) {
		free_slot->key = key;
		free_slot->sent_ns = free_slot->last_ns = a->time_ns;
	} else {
		release(free_slot);
	}
	return false;
}

void vg_repeats_flush(struct vg_repeats *r, uint64_t now_ns, bool all, vg_alert_fn send,
		      void *ctx)
{
	if (!r)
		return;
	for (unsigned i = 0; i < VG_REPEATS_SLOTS; i++) {
		struct slot *s = &r->slot[i];

		if (s->key && (all || now_ns >= s->sent_ns + r->window_ns))
			summarise(r, s, send, ctx);
	}
}
