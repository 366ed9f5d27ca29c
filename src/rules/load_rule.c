/* A "- rule:" item (load_rule.h): its keys, new or changing an earlier
 * rule through append or override. */
#include "rules/load_exceptions.h"
#include "rules/load_override.h"
#include "rules/load_rule.h"

#include <errno.h>
#include <string.h>

enum rule_key { RK_CONDITION, RK_OUTPUT, RK_DESC, RK_PRIORITY, RK_TAGS, RK_EXCEPTIONS, RK_ENABLED,
		RK_SOURCE, RK_SKIP, RK_WARN, RK_CAPTURE, RK_CAPTURE_DURATION, RK_ACTION };

static const char *const rule_ov_keys[] = { "condition", "output", "desc", "priority", "tags",
					    "exceptions", "enabled", "source",
					    "skip-if-unknown-filter", "warn_evttypes", "capture",
					    "capture_duration", "action", NULL };
static const char *const rule_ov_append[] = { "condition", "output", "desc", "tags",
					      "exceptions", NULL };

static int set_string(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
		      const char *what, const char **out)
{
	if (!is_scalar(n)) {
		yerr(y, n, it->label, "'%s' must be a string", what);
		return -EINVAL;
	}
	*out = vg_load_copy(y, n);
	return *out ? 0 : -ENOMEM;
}

static int set_priority(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
			enum vg_priority *out)
{
	int p;

	if (!is_scalar(n) || (p = vg_priority_parse(sval(n), slen(n))) < 0) {
		yerr(y, n, it->label,
		     "invalid priority '%s' (emergency, alert, critical, error, warning, notice, "
		     "informational, debug)",
		     is_scalar(n) ? sval(n) : "?");
		return -EINVAL;
	}
	*out = (enum vg_priority)p;
	return 0;
}

/* vigil's "action:" key: what to do besides alerting. */
static int set_action(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
		      enum vg_rule_action *out)
{
	int a;

	if (!is_scalar(n) || (a = vg_action_parse(sval(n), slen(n))) < 0) {
		yerr(y, n, it->label, "invalid action '%s' (kill, kill_pgroup, none)",
		     is_scalar(n) ? sval(n) : "?");
		return -EINVAL;
	}
	*out = (enum vg_rule_action)a;
	return 0;
}

static int set_tags(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
		    struct vg_rule *r, bool append)
{
	const char **tags, **all;
	uint32_t nt;

	if (vg_load_strings(y, it, n, "tags", &tags, &nt, NULL) < 0)
		return -EINVAL;
	if (!append || !r->ntags) {
		r->tags = tags;
		r->ntags = nt;
		return 0;
	}
	all = vg_load_alloc(y, (r->ntags + nt + 1) * sizeof(char *));
	if (!all)
		return -ENOMEM;
	memcpy(all, r->tags, r->ntags * sizeof(char *));
	memcpy(all + r->ntags, tags, nt * sizeof(char *));
	r->tags = all;
	r->ntags += nt;
	return 0;
}

static int join_strings(struct vg_load *y, const char **dst, const char *add)
{
	size_t a = strlen(*dst), b = strlen(add);
	char *s = vg_load_alloc(y, a + b + 2);

	if (!s)
		return -ENOMEM;
	memcpy(s, *dst, a);
	s[a] = ' ';
	memcpy(s + a + 1, add, b);
	*dst = s;
	return 0;
}

/* Applies one key of an item to a rule, appending or replacing. */
static int apply_rule_key(struct vg_load *y, const struct vg_load_item *it, struct vg_rule_def *r,
			  enum rule_key k, yaml_node_t *n, bool append)
{
	struct vg_exception *ex;
	struct vg_text t;
	uint32_t nex;
	bool b;

	switch (k) {
	case RK_CONDITION:
	case RK_OUTPUT:
		if (!is_scalar(n)) {
			yerr(y, n, it->label, "'%s' must be a string", rule_ov_keys[k]);
			return -EINVAL;
		}
		if (vg_load_text(y, n, &t) < 0)
			return -ENOMEM;
		if (append) {
			if (vg_text_append(y->rs, k == RK_CONDITION ? &r->cond : &r->out, &t) < 0) {
				yerr(y, n, it->label, "too many appends");
				return -E2BIG;
			}
		} else {
			*(k == RK_CONDITION ? &r->cond : &r->out) = t;
		}
		if (k == RK_OUTPUT)
			r->pub.output = r->out.s;
		return 0;
	case RK_DESC: {
		const char *d;

		if (set_string(y, it, n, "desc", &d) < 0)
			return -EINVAL;
		if (append && r->pub.desc)
			return join_strings(y, &r->pub.desc, d);
		r->pub.desc = d;
		return 0;
	}
	case RK_PRIORITY:
		return set_priority(y, it, n, &r->pub.priority);
	case RK_TAGS:
		return set_tags(y, it, n, &r->pub, append);
	case RK_EXCEPTIONS:
		if (vg_load_exceptions(y, it, n, &ex, &nex) < 0)
			return -EINVAL;
		if (!append) {
			r->excs = ex;
			r->nexcs = nex;
			return 0;
		}
		return vg_merge_exceptions(y, it, r, ex, nex);
	case RK_ENABLED:
	case RK_SKIP:
		if (parse_bool(n, &b) < 0) {
			yerr(y, n, it->label, "'%s' must be true or false", rule_ov_keys[k]);
			return -EINVAL;
		}
		if (k == RK_ENABLED)
			r->pub.enabled = b;
		else
			r->skip_if_unknown_filter = b;
		return 0;
	case RK_SOURCE:
		return set_string(y, it, n, "source", &r->pub.source);
	case RK_ACTION:
		return set_action(y, it, n, &r->pub.action);
	case RK_WARN:
	case RK_CAPTURE:
	case RK_CAPTURE_DURATION:
		return 0; /* accepted, no effect in vigil */
	}
	return 0;
}

static struct vg_rule_def *new_rule(struct vg_load *y, const struct vg_load_item *it)
{
	struct vg_rule_def *r = vg_load_alloc(y, sizeof(*r));

	if (!r)
		return NULL;
	r->pub.name = it->name;
	r->pub.source = "syscall";
	r->pub.enabled = true;
	r->pub.priority = VG_PRIO_DEBUG;
	r->pub.desc = "";
	r->pub.output = "";
	r->pub.file = y->rs->files[y->file].name;
	r->pub.line = it->loc.line;
	r->loc = it->loc;
	return r;
}

/* A rule that could not be read still counts (as failed) in the summary. */
static void add_failed_rule(struct vg_load *y, const struct vg_load_item *it)
{
	struct vg_rule_def *r;

	if (vg_find_rule(y->rs, it->name, strlen(it->name)))
		return;
	r = new_rule(y, it);
	if (!r)
		return;
	r->pub.state = VG_RULE_FAILED;
	vg_add_rule(y->rs, r);
}

static void update_rule(struct vg_load *y, struct vg_load_item *it, struct vg_rule_def *old,
			long mask, bool legacy_append)
{
	for (int k = 0; rule_ov_keys[k]; k++) {
		yaml_node_t *n = map_get(y, it->map, rule_ov_keys[k]);
		bool append;

		if (!n)
			continue;
		if (legacy_append) {
			append = k == RK_CONDITION || k == RK_EXCEPTIONS;
			if (!append && k != RK_ENABLED) {
				ywarn(y, n, it->label, "'%s' is ignored with 'append: true'",
				      rule_ov_keys[k]);
				continue;
			}
		} else {
			if (!(mask & (3L << (2 * k))))
				continue;
			append = mask & (1L << (2 * k));
		}
		if (apply_rule_key(y, it, old, (enum rule_key)k, n, append) < 0)
			old->pub.state = VG_RULE_FAILED;
	}
}

void vg_load_rule(struct vg_load *y, struct vg_load_item *it)
{
	static const char *const known[] = { "rule", "condition", "output", "desc", "priority",
					     "tags", "exceptions", "enabled", "source", "append",
					     "override", "skip-if-unknown-filter", "warn_evttypes",
					     "capture", "capture_duration", "action", NULL };
	static const char *const required[] = { "condition", "output", "desc", "priority", NULL };
	struct vg_rules *rs = y->rs;
	yaml_node_t *app = map_get(y, it->map, "append"), *ov = map_get(y, it->map, "override");
	struct vg_rule_def *old = vg_find_rule(rs, it->name, strlen(it->name)), *r;
	bool append = false;
	size_t nkeys;

	if (!vg_load_check_keys(y, it, known)) {
		add_failed_rule(y, it);
		return;
	}
	if (app && parse_bool(app, &append) < 0) {
		yerr(y, app, it->label, "'append' must be true or false");
		add_failed_rule(y, it);
		return;
	}
	if (ov || append) {
		long mask = 0;

		if (ov && append) {
			yerr(y, ov, it->label, "'append' and 'override' cannot be used together");
			return;
		}
		if (ov && (mask = vg_load_override(y, it, ov, rule_ov_keys, rule_ov_append)) < 0)
			return;
		if (!old) {
			yerr(y, it->map, it->label, "cannot %s: no rule '%s' was defined before",
			     append ? "append" : "override", it->name);
			return;
		}
		update_rule(y, it, old, mask, append);
		return;
	}
	/* "- rule: x / enabled: false" switches an existing rule */
	nkeys = (size_t)(it->map->data.mapping.pairs.top - it->map->data.mapping.pairs.start);
	if (nkeys == 2 && map_get(y, it->map, "enabled")) {
		if (!old) {
			yerr(y, it->map, it->label,
			     "cannot change 'enabled': no rule '%s' was defined before", it->name);
			return;
		}
		apply_rule_key(y, it, old, RK_ENABLED, map_get(y, it->map, "enabled"), false);
		return;
	}
	if (old && old->loc.file == y->file) {
		yerr(y, it->map, it->label,
		     "duplicate rule name (first defined at line %u); use 'override' to change it",
		     old->loc.line);
		return;
	}
	r = new_rule(y, it);
	if (!r)
		return;
	for (int i = 0; required[i]; i++) {
		if (!map_get(y, it->map, required[i])) {
			yerr(y, it->map, it->label, "rule has no '%s'", required[i]);
			r->pub.state = VG_RULE_FAILED;
		}
	}
	for (int k = 0; rule_ov_keys[k]; k++) {
		yaml_node_t *n = map_get(y, it->map, rule_ov_keys[k]);

		if (n && apply_rule_key(y, it, r, (enum rule_key)k, n, false) < 0)
			r->pub.state = VG_RULE_FAILED;
	}
	if (vg_add_rule(rs, r) < 0)
		yerr(y, it->map, it->label, "too many definitions");
}
