/* The engine's store (store.h): its life cycle, the tables of definitions
 * by name, the diagnostics, and positions in the rules files. */
#include "rules/store.h"
#include "rules/regex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define DEFAULT_MAX_FILE (16u << 20)
#define DEFAULT_MAX_FILES 64
#define DEFAULT_MAX_MEMORY ((size_t)256 << 20)

struct vg_def_table {
	uint32_t cap, n; /* cap is a power of two */
	struct def_entry {
		const char *name;
		size_t len;
		uint32_t idx;
	} *e;
};

static uint32_t hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int tab_lookup(const struct vg_def_table *t, const char *name, size_t len)
{
	uint32_t i;

	if (!t || !t->cap)
		return -1;
	for (i = hash_name(name, len) & (t->cap - 1); t->e[i].name; i = (i + 1) & (t->cap - 1))
		if (t->e[i].len == len && memcmp(t->e[i].name, name, len) == 0)
			return (int)t->e[i].idx;
	return -1;
}

static int tab_insert(struct vg_def_table **tp, const char *name, uint32_t idx)
{
	struct vg_def_table *t = *tp;
	size_t len = strlen(name);
	uint32_t i;

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		*tp = t;
	}
	if ((t->n + 1) * 2 > t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : 64;
		struct def_entry *ne = calloc(ncap, sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		for (uint32_t k = 0; k < t->cap; k++) {
			if (!t->e[k].name)
				continue;
			i = hash_name(t->e[k].name, t->e[k].len) & (ncap - 1);
			while (ne[i].name)
				i = (i + 1) & (ncap - 1);
			ne[i] = t->e[k];
		}
		free(t->e);
		t->e = ne;
		t->cap = ncap;
	}
	for (i = hash_name(name, len) & (t->cap - 1); t->e[i].name; i = (i + 1) & (t->cap - 1))
		;
	t->e[i].name = name;
	t->e[i].len = len;
	t->e[i].idx = idx;
	t->n++;
	return 0;
}

static void tab_free(struct vg_def_table *t)
{
	if (t) {
		free(t->e);
		free(t);
	}
}

struct vg_rules *vg_rules_new(void)
{
	struct vg_rules *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	vg_arena_init(&rs->arena, DEFAULT_MAX_MEMORY);
	rs->max_file_bytes = DEFAULT_MAX_FILE;
	rs->max_files = DEFAULT_MAX_FILES;
	return rs;
}

void vg_rules_set_limits(struct vg_rules *rs, size_t max_file_bytes, unsigned max_files,
			 size_t max_memory)
{
	if (max_file_bytes)
		rs->max_file_bytes = max_file_bytes;
	if (max_files)
		rs->max_files = max_files;
	if (max_memory)
		rs->arena.limit = max_memory;
}

void vg_rules_free(struct vg_rules *rs)
{
	if (!rs)
		return;
	for (uint32_t i = 0; i < rs->nregexes; i++)
		vg_regex_free(rs->regexes[i]);
	tab_free(rs->list_tab);
	tab_free(rs->macro_tab);
	tab_free(rs->rule_tab);
	free(rs->diags);
	free(rs->index_block);
	free(rs->hits);
	vg_arena_free(&rs->arena);
	free(rs);
}

/* ---- diagnostics ---- */

void vg_diag_add(struct vg_rules *rs, enum vg_diag_level level, const struct vg_loc *loc,
		 const char *item, const char *fmt, ...)
{
	struct vg_diag *d;
	va_list ap;

	if (level == VG_DIAG_ERROR)
		rs->nerrors++;
	else if (level == VG_DIAG_WARNING)
		rs->nwarnings++;
	if (rs->ndiags >= VG_MAX_DIAGS) {
		rs->diags_dropped++;
		return;
	}
	if (rs->ndiags == rs->diags_cap) {
		unsigned ncap = rs->diags_cap ? rs->diags_cap * 2 : 32;
		struct vg_diag *nd = realloc(rs->diags, ncap * sizeof(*nd));

		if (!nd) {
			rs->diags_dropped++;
			return;
		}
		rs->diags = nd;
		rs->diags_cap = ncap;
	}
	d = &rs->diags[rs->ndiags++];
	memset(d, 0, sizeof(*d));
	d->level = level;
	d->file = loc && loc->file >= 0 && (unsigned)loc->file < rs->nfiles ?
			  rs->files[loc->file].name :
			  "";
	d->line = loc ? loc->line : 0;
	d->column = loc ? loc->col : 0;
	snprintf(d->item, sizeof(d->item), "%s", item ? item : "");
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

const struct vg_diag *vg_rules_diags(const struct vg_rules *rs, unsigned *count)
{
	*count = rs->ndiags;
	return rs->diags;
}

int vg_diag_format(const struct vg_diag *d, char *buf, size_t size)
{
	static const char *const level[] = { "error", "warning", "skipped" };
	char where[512];

	if (d->file[0] && d->line)
		snprintf(where, sizeof(where), "%s:%u:%u: ", d->file, d->line, d->column);
	else if (d->file[0])
		snprintf(where, sizeof(where), "%s: ", d->file);
	else
		where[0] = '\0';
	return snprintf(buf, size, "%s%s: %s%s%s", where, level[d->level], d->item,
			d->item[0] ? ": " : "", d->msg);
}

void vg_rules_get_stats(const struct vg_rules *rs, struct vg_rules_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->rules = rs->nrules;
	for (uint32_t i = 0; i < rs->nrules; i++) {
		const struct vg_rule *r = &rs->rules[i]->pub;

		if (r->state == VG_RULE_FAILED)
			st->failed++;
		else if (r->state == VG_RULE_SKIPPED)
			st->skipped++;
		else
			st->loaded++;
		if (r->state == VG_RULE_LOADED && !r->enabled)
			st->disabled++;
	}
	st->macros = rs->nmacros;
	st->lists = rs->nlists;
	st->errors = rs->nerrors;
	st->warnings = rs->nwarnings;
}

/* ---- positions ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void vg_text_loc(const struct vg_rules *rs, const struct vg_text *t, uint32_t off,
		 struct vg_loc *loc)
{
	const struct vg_text_piece *pc = NULL;
	const struct vg_src_file *f;
	size_t i, k = 0, raw_start, line, col, last = 0;

	loc->file = -1;
	loc->line = loc->col = 0;
	for (uint32_t p = 0; p < t->npieces; p++)
		if (t->pieces[p].off <= off)
			pc = &t->pieces[p];
	if (!pc)
		return;
	loc->file = pc->file;
	loc->line = pc->line;
	loc->col = pc->col;
	if (pc->file < 0 || (unsigned)pc->file >= rs->nfiles)
		return;
	f = &rs->files[pc->file];
	if (pc->end > f->len || pc->start > pc->end)
		return;
	/* The scalar's text differs from its source only in blanks (folding,
	 * indentation) and quoting, so the k-th non-blank byte of the text is
	 * the k-th non-blank byte of the source. */
	for (i = pc->off; i < off && i < t->len; i++)
		if (!is_blank(t->s[i]))
			k++;
	raw_start = pc->start;
	if (pc->style == YAML_LITERAL_SCALAR_STYLE || pc->style == YAML_FOLDED_SCALAR_STYLE) {
		while (raw_start < pc->end && f->text[raw_start] != '\n')
			raw_start++;
	} else if (pc->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		   pc->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		raw_start++;
	}
	for (i = raw_start; i < pc->end; i++) {
		if (is_blank(f->text[i]))
			continue;
		if (k == 0)
			break;
		k--;
		last = i + 1;
		if (pc->style == YAML_SINGLE_QUOTED_SCALAR_STYLE && f->text[i] == '\'' &&
		    i + 1 < pc->end && f->text[i + 1] == '\'')
			i++;
		else if (pc->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && f->text[i] == '\\')
			i++;
	}
	if (i >= pc->end) {
		if (k || !last)
			return;
		i = last; /* the end of the text: just after its last byte */
	}
	line = pc->line;
	col = pc->col;
	for (size_t j = pc->start; j < i; j++) {
		if (f->text[j] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	loc->line = (uint32_t)line;
	loc->col = (uint32_t)col;
}

int vg_text_append(struct vg_rules *rs, struct vg_text *dst, const struct vg_text *src)
{
	uint32_t base = dst->len ? dst->len + 1 : 0;
	uint32_t np = dst->npieces + src->npieces;
	struct vg_text_piece *pcs;
	char *s;

	if (np > VG_MAX_TEXT_PIECES)
		return -E2BIG;
	if ((size_t)base + src->len > UINT32_MAX / 2)
		return -E2BIG;
	s = vg_arena_alloc(&rs->arena, (size_t)base + src->len + 1);
	pcs = vg_arena_alloc(&rs->arena, np * sizeof(*pcs));
	if (!s || !pcs)
		return -ENOMEM;
	if (dst->len) {
		memcpy(s, dst->s, dst->len);
		s[dst->len] = ' ';
	}
	memcpy(s + base, src->s, src->len);
	if (dst->npieces)
		memcpy(pcs, dst->pieces, dst->npieces * sizeof(*pcs));
	for (uint32_t i = 0; i < src->npieces; i++) {
		pcs[dst->npieces + i] = src->pieces[i];
		pcs[dst->npieces + i].off += base;
	}
	dst->s = s;
	dst->len = base + src->len;
	dst->pieces = pcs;
	dst->npieces = np;
	return 0;
}

/* ---- definitions ---- */

struct vg_list_def *vg_find_list(const struct vg_rules *rs, const char *name, size_t len)
{
	int i = tab_lookup(rs->list_tab, name, len);

	return i < 0 ? NULL : rs->lists[i];
}

struct vg_macro_def *vg_find_macro(const struct vg_rules *rs, const char *name, size_t len)
{
	int i = tab_lookup(rs->macro_tab, name, len);

	return i < 0 ? NULL : rs->macros[i];
}

struct vg_rule_def *vg_find_rule(const struct vg_rules *rs, const char *name, size_t len)
{
	int i = tab_lookup(rs->rule_tab, name, len);

	return i < 0 ? NULL : rs->rules[i];
}

static int push(struct vg_rules *rs, void ***arr, uint32_t *n, uint32_t *cap, void *item)
{
	if (rs->nlists + rs->nmacros + rs->nrules >= VG_MAX_ITEMS)
		return -E2BIG;
	if (*n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		void **na = vg_arena_grow(&rs->arena, *arr, *n, ncap, sizeof(void *));

		if (!na)
			return -ENOMEM;
		*arr = na;
		*cap = ncap;
	}
	(*arr)[(*n)++] = item;
	return 0;
}

/* A definition with a known name replaces the old one in place, so rule
 * order stays that of first definition (as Falco does). */
int vg_add_list(struct vg_rules *rs, struct vg_list_def *l)
{
	int i = tab_lookup(rs->list_tab, l->name, strlen(l->name)), rc;

	if (i >= 0) {
		rs->lists[i] = l;
		return 0;
	}
	rc = push(rs, (void ***)&rs->lists, &rs->nlists, &rs->lists_cap, l);
	return rc ? rc : tab_insert(&rs->list_tab, l->name, rs->nlists - 1);
}

int vg_add_macro(struct vg_rules *rs, struct vg_macro_def *m)
{
	int i = tab_lookup(rs->macro_tab, m->name, strlen(m->name)), rc;

	if (i >= 0) {
		rs->macros[i] = m;
		return 0;
	}
	rc = push(rs, (void ***)&rs->macros, &rs->nmacros, &rs->macros_cap, m);
	return rc ? rc : tab_insert(&rs->macro_tab, m->name, rs->nmacros - 1);
}

int vg_add_rule(struct vg_rules *rs, struct vg_rule_def *r)
{
	int i = tab_lookup(rs->rule_tab, r->pub.name, strlen(r->pub.name)), rc;

	if (i >= 0) {
		r->pub.index = (unsigned)i;
		rs->rules[i] = r;
		return 0;
	}
	r->pub.index = rs->nrules;
	rc = push(rs, (void ***)&rs->rules, &rs->nrules, &rs->rules_cap, r);
	return rc ? rc : tab_insert(&rs->rule_tab, r->pub.name, rs->nrules - 1);
}
