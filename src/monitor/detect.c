/* Rules on events: load and compile the set, narrow the kernel to what the
 * rules need, evaluate each event against the rules indexed by its type and
 * turn matches into alerts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fields/drops.h"
#include "fields/stdio.h"
#include "monitor/detect.h"
#include "fields/extract.h"
#include "output/fields.h"
#include "proc/proctable.h"
#include "response/kill.h"
#include "rules/rules.h"
#include "sensor/sensor.h"
#include "sensor/syscalls.h"
#include "util/log.h"

#define MAX_MATCHES 32

struct vg_detect {
	struct vg_rules *rules;
	struct vg_rule_ctx ctx;	    /* large: the extractor's scratch */
	struct vg_alert_text text; /* one formatted alert */
	struct vg_fields fields;   /* its output_fields */
	const struct vg_killer *killer; /* rule actions; NULL: none taken */
	struct vg_action_result action;	/* of the current alert */
	/* rule matches that could not be run (vg_rules_match_failures): the
	 * count last logged for each rule, and when */
	uint64_t *failures_logged;
	uint64_t *failures_logged_ns;
	struct vg_drops *drops;		/* written files, for vigil.exe.dropped */
	struct vg_stdio_table *stdio;	/* standard descriptors and pipes */
};

static void print_diags(const struct vg_rules *rs)
{
	unsigned n = 0;
	const struct vg_diag *d = vg_rules_diags(rs, &n);
	char buf[1024];

	for (unsigned i = 0; i < n; i++) {
		vg_diag_format(&d[i], buf, sizeof(buf));
		if (d[i].level == VG_DIAG_ERROR)
			vg_err("%s", buf);
		else
			vg_warn("%s", buf);
	}
}

int vg_detect_load(struct vg_detect **out, const char *const *files, unsigned nfiles)
{
	struct vg_detect *d = calloc(1, sizeof(*d));
	struct vg_rules_stats st;
	int ret = 0;

	*out = NULL;
	if (!d || !(d->rules = vg_rules_new()) || !(d->drops = vg_drops_new()) ||
	    !(d->stdio = vg_stdio_new())) {
		if (d) {
			vg_rules_free(d->rules);
			vg_drops_free(d->drops);
		}
		free(d);
		return -ENOMEM;
	}
	d->ctx.drops = d->drops;
	d->ctx.stdio = d->stdio;
	for (unsigned i = 0; i < nfiles && !ret; i++)
		ret = vg_rules_load_file(d->rules, files[i]);
	if (!ret)
		ret = vg_rules_compile(d->rules);
	print_diags(d->rules);
	vg_rules_get_stats(d->rules, &st);
	if (ret || st.errors) {
		/* a failure with no diagnostic (out of memory while compiling)
		 * is said too, not reported as "0 errors" */
		if (st.errors)
			vg_err("rules not loaded: %u errors", st.errors);
		else
			vg_err("rules not loaded: compiling them failed: %s", strerror(-ret));
		vg_detect_free(d);
		return ret ? ret : -EINVAL;
	}
	if (st.loaded == st.disabled) {
		/* an empty or comment-only file would turn detection off without
		 * a word; no rules must be asked for (--no-rules) */
		vg_err("rules not loaded: no enabled rule in %s%s (to run without rules, say "
		       "--no-rules or rules.enabled: false)",
		       files[0], nfiles > 1 ? " and the other files" : "");
		vg_detect_free(d);
		return -ENOENT;
	}
	d->failures_logged = calloc(vg_rules_count(d->rules) + 1, sizeof(*d->failures_logged));
	d->failures_logged_ns = calloc(vg_rules_count(d->rules) + 1, sizeof(uint64_t));
	if (!d->failures_logged || !d->failures_logged_ns) {
		vg_detect_free(d);
		return -ENOMEM;
	}
	vg_info("rules: %u loaded (%u disabled), %u skipped, from %u file%s", st.loaded,
		st.disabled, st.skipped, nfiles, nfiles == 1 ? "" : "s");
	*out = d;
	return 0;
}

void vg_detect_free(struct vg_detect *d)
{
	if (!d)
		return;
	vg_rules_free(d->rules);
	free(d->failures_logged);
	free(d->failures_logged_ns);
	vg_drops_free(d->drops);
	vg_stdio_free(d->stdio);
	free(d);
}

int vg_detect_check(const char *const *files, unsigned nfiles)
{
	struct vg_detect *d = NULL;
	int ret = vg_detect_load(&d, files, nfiles);

	vg_detect_free(d);
	return ret;
}

void vg_detect_bind(struct vg_detect *d, struct vg_proctable *procs, struct vg_usercache *users,
		    const char *hostname)
{
	d->ctx.procs = procs;
	d->ctx.users = users;
	d->ctx.hostname = hostname;
}

void vg_detect_set_killer(struct vg_detect *d, const struct vg_killer *k)
{
	d->killer = k;
}

/* A rule with an action: act on the event's process, then say what was
 * done in the alert (output and output_fields). */
static void respond(struct vg_detect *d, const struct vg_rule *r, const struct vg_event *ev)
{
	struct vg_fields *f = &d->fields;
	const struct vg_proc *p = d->ctx.procs ? vg_pt_lookup(d->ctx.procs, ev->u.hdr.pid) : NULL;
	struct vg_killer off = { .enabled = false };
	size_t len = strlen(d->text.output);

	vg_killer_act(d->killer ? d->killer : &off, r->action, ev->u.hdr.pid,
		      p ? p->start_ns : 0, ev->u.hdr.ts_ns, &d->action);
	if (f->n > VG_FIELDS_MAX - 2)
		f->n = VG_FIELDS_MAX - 2;
	f->kv[f->n++] = (struct vg_kv){ .key = "vigil.action", .kind = VG_KV_STR,
					.s = d->action.what, .s_len = strlen(d->action.what) };
	f->kv[f->n++] = (struct vg_kv){ .key = "vigil.action_latency_us",
					.kind = d->action.latency_us < 0 ? VG_KV_NULL : VG_KV_INT,
					.i = d->action.latency_us };
	snprintf(d->text.output + len, sizeof(d->text.output) - len, " vigil.action=%s",
		 d->action.what);
}

int vg_detect_narrow(const struct vg_detect *d, struct vg_sensor *s)
{
	struct vg_evtset need;
	int kept = 0;

	vg_rules_evtypes(d->rules, &need);
	for (unsigned i = 0; i < vg_syscalls_count; i++) {
		const char *name = vg_syscalls[i].name;
		bool on = vg_evtset_has(&need, vg_evtype_lookup(name, strlen(name)));

		vg_sensor_route(s, vg_syscalls[i].nr, on);
		kept += on;
	}
	return kept;
}

/* Falco's output_fields: the fields the output names, typed (numbers,
 * bools), absent ones null. */
static void alert_fields(struct vg_detect *d)
{
	struct vg_fields *f = &d->fields;

	f->n = 0;
	f->used = 0;
	for (unsigned i = 0; i < d->text.nfields && f->n < VG_FIELDS_MAX; i++) {
		const struct vg_alert_field *af = &d->text.fields[i];

		vg_kv_typed(&f->kv[f->n++], af->name, af->value, af->present);
	}
}

int vg_detect_event(struct vg_detect *d, const struct vg_event *ev, uint64_t wall_ns,
		    vg_alert_fn fn, void *ctx)
{
	const struct vg_rule *m[MAX_MATCHES];
	unsigned evtype = vg_rule_evtype(ev);
	int n;

	if (!evtype)
		return 0;
	vg_stdio_note(d->stdio, ev); /* an exec's own pipes are joined before its rules run */
	vg_rule_ctx_reset(&d->ctx, ev, wall_ns);
	n = vg_rules_eval(d->rules, evtype, vg_rule_field_get, &d->ctx, m, MAX_MATCHES);
	vg_drops_note(d->drops, ev); /* after the rules: an event is a write or an exec */
	for (int i = 0; i < n; i++) {
		struct vg_alert a = {
			.time_ns = wall_ns,
			.rule = m[i]->name,
			.priority = vg_priority_name(m[i]->priority),
			.output = d->text.output,
			.fields = &d->fields,
			.tags = m[i]->tags,
			.ntags = (int)m[i]->ntags,
			.source = "syscall",
			.hostname = d->ctx.hostname ? d->ctx.hostname : "",
		};

		if (vg_rules_format(d->rules, m[i], vg_rule_field_get, &d->ctx, &d->text))
			continue;
		alert_fields(d);
		if (m[i]->action != VG_ACTION_NONE)
			respond(d, m[i], ev);
		fn(ctx, &a);
	}
	return n < 0 ? 0 : n;
}

unsigned vg_detect_rule_count(const struct vg_detect *d)
{
	return d ? vg_rules_count(d->rules) : 0;
}

void vg_detect_tick(struct vg_detect *d, uint64_t now_ns)
{
	unsigned n = d ? vg_rules_count(d->rules) : 0;

	for (unsigned i = 0; i < n; i++) {
		const struct vg_rule *r = vg_rules_get(d->rules, i);
		uint64_t f = vg_rules_match_failures(d->rules, r);

		if (f == d->failures_logged[i] ||
		    (d->failures_logged_ns[i] &&
		     now_ns - d->failures_logged_ns[i] < VG_DETECT_FAILURE_LOG_NS))
			continue;
		vg_warn("rule '%s': %llu match%s could not be run (taken as no match; %llu in all)",
			r->name, (unsigned long long)(f - d->failures_logged[i]),
			f - d->failures_logged[i] == 1 ? "" : "es", (unsigned long long)f);
		d->failures_logged[i] = f;
		d->failures_logged_ns[i] = now_ns;
	}
}

int vg_detect_status(const struct vg_detect *d, struct json_object *sec)
{
	struct json_object *per_rule = json_object_new_object();
	unsigned n = d ? vg_rules_count(d->rules) : 0;
	uint64_t total = 0;

	if (!per_rule)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct vg_rule *r = vg_rules_get(d->rules, i);
		uint64_t f = vg_rules_match_failures(d->rules, r);

		if (!f)
			continue;
		total += f;
		json_object_object_add(per_rule, r->name, json_object_new_uint64(f));
	}
	json_object_object_add(sec, "loaded", json_object_new_uint64(n));
	json_object_object_add(sec, "match_failures", json_object_new_uint64(total));
	json_object_object_add(sec, "match_failures_by_rule", per_rule);
	return 0;
}
