/* The dashboard's JSON API (docs/dashboard.md, "API"): the figures of the
 * control commands, the alerts kept by web_alerts.c, the process table,
 * the BPF inventory, and the two actions (pH profile admin, mute). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/inventory.h"
#include "audit/verdict.h"
#include "control/ctl_proto.h"
#include "util/version.h"
#include "web/web_heatmap.h"
#include "web/web_impl.h"
#include "web/web_mute.h"
#include "util/clock.h"
#include "util/macros.h"

#define BPF_CACHE_NS (5ull * NSEC_PER_SEC) /* the inventory is read at most this often */
#define PROCS_MAX 20000			     /* processes listed, at most */

static void error(struct vg_web_reply *r, unsigned status, const char *msg)
{
	r->status = status;
	r->body = json_object_new_object();
	if (r->body)
		json_object_object_add(r->body, "error", json_object_new_string(msg));
}

/* One control command (the same handlers as the control socket). */
static int command(struct vg_web *w, const char *cmd, struct json_object *args,
		   struct json_object **result, char *err, size_t errlen)
{
	char *req = vg_ctl_format_request(cmd, args), *resp;
	int ret;

	if (!req)
		return -ENOMEM;
	resp = vg_ctl_handle(w->o.reg, req, strlen(req));
	free(req);
	if (!resp)
		return -ENOMEM;
	ret = vg_ctl_parse_response(resp, strlen(resp), result, err, errlen);
	free(resp);
	return ret;
}

static void command_reply(struct vg_web *w, const char *cmd, struct json_object *args,
			  struct vg_web_reply *r)
{
	char err[VG_CTL_ERR_MAX + 64] = "";
	struct json_object *result = NULL;
	int ret = command(w, cmd, args, &result, err, sizeof(err));

	if (ret) {
		error(r, ret == -EREMOTEIO ? 400 : 500, err[0] ? err : strerror(-ret));
		return;
	}
	r->body = result ? result : json_object_new_array();
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static uint64_t arg_u64(struct MHD_Connection *c, const char *name, uint64_t def)
{
	const char *v = arg(c, name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return def;
	n = strtoull(v, &end, 10);
	return *end ? def : n;
}

/* ---- GET ---- */

static void session(struct vg_web *w, struct vg_web_reply *r)
{
	char host[256] = "";

	r->body = json_object_new_object();
	if (!r->body)
		return;
	gethostname(host, sizeof(host) - 1);
	json_object_object_add(r->body, "hostname", json_object_new_string(host));
	json_object_object_add(r->body, "csrf", json_object_new_string(w->csrf));
	json_object_object_add(r->body, "version", json_object_new_string(VIGIL_VERSION));
	json_object_object_add(r->body, "ph", json_object_new_boolean(w->o.ph != NULL));
	json_object_object_add(r->body, "mute", json_object_new_boolean(w->o.overrides != NULL));
	json_object_object_add(r->body, "overrides",
			       w->o.overrides ? json_object_new_string(w->o.overrides) : NULL);
}

static void overview(struct vg_web *w, struct vg_web_reply *r)
{
	struct json_object *status = NULL, *alerts = json_object_new_object(), *prio, *web;

	if (vg_ctl_status(w->o.reg, &status) || !alerts) {
		json_object_put(alerts);
		error(r, 500, "status unavailable");
		return;
	}
	prio = json_object_new_object();
	for (int p = 0; p < VG_WEB_PRIORITIES; p++)
		json_object_object_add(prio, vg_web_priority_names[p],
				       json_object_new_uint64(w->alerts.by_priority[p]));
	json_object_object_add(alerts, "by_priority", prio);
	json_object_object_add(alerts, "by_minute",
			       vg_web_alerts_history(&w->alerts, vg_clock_ns(CLOCK_REALTIME) / NSEC_PER_SEC));
	json_object_object_add(alerts, "last_id", json_object_new_uint64(w->alerts.next_id - 1));
	json_object_object_add(status, "alerts", alerts);
	web = json_object_new_object();
	json_object_object_add(web, "requests", json_object_new_uint64(w->requests));
	json_object_object_add(web, "refused", json_object_new_uint64(w->refused));
	json_object_object_add(web, "mutes", json_object_new_uint64(w->mutes));
	json_object_object_add(web, "streams", json_object_new_uint64(w->streams_open));
	json_object_object_add(web, "streams_cut", json_object_new_uint64(w->streams_cut));
	json_object_object_add(status, "web", web);
	r->body = status;
}

/* /api/alerts?after=ID&limit=N[&ino=I][&q=TEXT]: the alerts kept with an
 * id above ID (with ino, only pH's alerts about that executable; with q,
 * only those whose JSON, ancestry included, contains TEXT), oldest first,
 * at most N (the newest N; default 2000). Written as text from the
 * alerts' stored JSON, never parsed again: cheap even for 10,000. */
static void alerts(struct vg_web *w, struct MHD_Connection *c, struct vg_web_reply *r)
{
	uint64_t after = arg_u64(c, "after", 0), limit = arg_u64(c, "limit", 2000);
	uint64_t ino = arg_u64(c, "ino", 0), last = w->alerts.next_id - 1, first;
	const char *q = arg(c, "q");
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		error(r, 500, "out of memory");
		return;
	}
	first = last >= VG_WEB_ALERTS_MAX ? last - VG_WEB_ALERTS_MAX + 1 : 1;
	if (after + 1 > first)
		first = after + 1;
	if (q && !*q)
		q = NULL;
	if (ino || q) { /* the newest N that match */
		uint64_t found = 0, id;

		for (id = last; id >= first && id && (!limit || found < limit); id--) {
			const struct vg_web_alert *a = vg_web_alerts_get(&w->alerts, id);

			found += a && (!ino || a->ph_ino == ino) && (!q || strstr(a->json, q));
		}
		first = id + 1;
	} else if (limit && last >= first && last - first + 1 > limit) {
		first = last - limit + 1; /* the newest N */
	}
	fprintf(f, "{\"last_id\":%llu,\"alerts\":[", (unsigned long long)last);
	for (uint64_t id = first; id <= last; id++) {
		const struct vg_web_alert *a = vg_web_alerts_get(&w->alerts, id);

		if (a && (!ino || a->ph_ino == ino) && (!q || strstr(a->json, q)))
			fprintf(f, "%s%s", n++ ? "," : "", a->json);
	}
	fputs("]}", f);
	if (fclose(f) || !buf) {
		free(buf);
		error(r, 500, "out of memory");
		return;
	}
	r->raw = buf;
}

static void alert_one(struct vg_web *w, uint64_t id, struct vg_web_reply *r)
{
	const struct vg_web_alert *a = vg_web_alerts_get(&w->alerts, id);

	if (!a) {
		error(r, 404, "no such alert (not raised, or no longer kept)");
		return;
	}
	r->body = json_tokener_parse(a->json);
}

struct procs_walk {
	struct vg_web *w;
	struct json_object *list;
	struct json_object *ph_by_pid; /* "pid" → the ps row */
	unsigned n;
};

static int one_proc(const struct vg_proc *p, void *ctx)
{
	struct procs_walk *pw = ctx;
	struct json_object *o, *ph;
	char cmdline[512], key[16];

	if (p->flags & VG_PROC_EXITED)
		return 0;
	if (pw->n++ >= PROCS_MAX)
		return 1;
	o = json_object_new_object();
	if (!o)
		return 1;
	vg_proc_cmdline(p, cmdline, sizeof(cmdline));
	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	json_object_object_add(o, "ppid", json_object_new_int64(p->ppid));
	json_object_object_add(o, "comm", json_object_new_string(p->comm));
	json_object_object_add(o, "exe", json_object_new_string(p->img->exe));
	json_object_object_add(o, "cmdline", json_object_new_string(cmdline));
	json_object_object_add(o, "uid", json_object_new_int64(p->uid));
	json_object_object_add(o, "alerts",
			       json_object_new_int64(vg_web_alerts_of_pid(&pw->w->alerts, p->pid)));
	snprintf(key, sizeof(key), "%u", p->pid);
	if (pw->ph_by_pid && json_object_object_get_ex(pw->ph_by_pid, key, &ph))
		json_object_object_add(o, "ph", json_object_get(ph));
	json_object_array_add(pw->list, o);
	return 0;
}

/* The process table's live processes, with alert counts and, with pH, the
 * model's state of each (the ps command). The page draws the tree. */
static void processes(struct vg_web *w, struct vg_web_reply *r)
{
	struct procs_walk pw = { .w = w, .list = json_object_new_array() };
	struct json_object *ps = NULL;
	char err[64];

	if (!pw.list) {
		error(r, 500, "out of memory");
		return;
	}
	if (w->o.ph && !command(w, "ps", NULL, &ps, err, sizeof(err)) && ps &&
	    json_object_is_type(ps, json_type_array)) {
		pw.ph_by_pid = json_object_new_object();
		for (size_t i = 0; pw.ph_by_pid && i < json_object_array_length(ps); i++) {
			struct json_object *row = json_object_array_get_idx(ps, i), *pid;
			char key[16];

			if (json_object_object_get_ex(row, "pid", &pid)) {
				snprintf(key, sizeof(key), "%d", json_object_get_int(pid));
				json_object_object_add(pw.ph_by_pid, key, json_object_get(row));
			}
		}
	}
	json_object_put(ps);
	if (w->o.procs)
		vg_pt_foreach(w->o.procs, one_proc, &pw);
	json_object_put(pw.ph_by_pid);
	r->body = json_object_new_object();
	if (r->body) {
		json_object_object_add(r->body, "processes", pw.list);
		json_object_object_add(r->body, "truncated", json_object_new_boolean(pw.n > PROCS_MAX));
	} else {
		json_object_put(pw.list);
	}
}

static struct json_object *bpf_obj_json(const struct vg_bpf_obj *o)
{
	struct json_object *j = json_object_new_object();

	if (!j)
		return NULL;
	json_object_object_add(j, "kind", json_object_new_string(vg_bpf_kind_name(o->kind)));
	json_object_object_add(j, "id", json_object_new_int64(o->id));
	json_object_object_add(j, "type", json_object_new_string(o->type));
	json_object_object_add(j, "name", json_object_new_string(o->name));
	json_object_object_add(j, "attach", json_object_new_string(o->attach));
	json_object_object_add(j, "pid", o->owner_pid ? json_object_new_int64(o->owner_pid) : NULL);
	json_object_object_add(j, "comm", json_object_new_string(o->owner_comm));
	json_object_object_add(j, "exe", json_object_new_string(o->owner_exe));
	json_object_object_add(j, "verdict", json_object_new_string(o->verdict == VG_VERDICT_SUSPICIOUS
									    ? "suspicious"
									    : "expected"));
	json_object_object_add(j, "reason", json_object_new_string(o->reason));
	return j;
}

/* What `vigil bpf-audit --json` lists, with the default allow list (it
 * walks every process's descriptors: cached for BPF_CACHE_NS). */
static void bpf(struct vg_web *w, struct vg_web_reply *r)
{
	struct vg_audit_policy pol = { .allow = vg_audit_default_allow,
				       .nallow = vg_audit_default_nallow };
	struct vg_bpf_inventory inv;
	struct json_object *list;
	size_t suspicious = 0;

	(void)w;
	if (vg_bpf_inventory_read(&inv)) {
		error(r, 500, "cannot list BPF objects");
		return;
	}
	list = json_object_new_array();
	for (size_t i = 0; list && i < inv.n; i++) {
		vg_bpf_verdict(&inv.objs[i], &pol);
		suspicious += inv.objs[i].verdict == VG_VERDICT_SUSPICIOUS;
		json_object_array_add(list, bpf_obj_json(&inv.objs[i]));
	}
	r->body = json_object_new_object();
	if (r->body) {
		json_object_object_add(r->body, "objects", list);
		json_object_object_add(r->body, "suspicious", json_object_new_uint64(suspicious));
		json_object_object_add(r->body, "truncated", json_object_new_uint64(inv.truncated));
	} else {
		json_object_put(list);
	}
	vg_bpf_inventory_free(&inv);
}

static void profile_show(struct vg_web *w, struct MHD_Connection *c, struct vg_web_reply *r)
{
	struct json_object *args = json_object_new_object();
	const char *exe = arg(c, "exe");

	if (!exe) {
		json_object_put(args);
		error(r, 400, "name the profile with ?exe=/abs/path");
		return;
	}
	json_object_object_add(args, "action", json_object_new_string("show"));
	json_object_object_add(args, "exe", json_object_new_string(exe));
	command_reply(w, "profile", args, r);
	json_object_put(args);
}

static void profiles(struct vg_web *w, struct vg_web_reply *r)
{
	command_reply(w, "profiles", NULL, r);
}

static void heatmap(struct vg_web *w, struct MHD_Connection *c, struct vg_web_reply *r)
{
	char err[160];

	r->body = vg_web_heatmap(w->o.ph, arg_u64(c, "dev", 0), arg_u64(c, "ino", 0), err,
				 sizeof(err));
	if (!r->body)
		error(r, 404, err);
}

static void mute_preview(struct vg_web *w, struct MHD_Connection *c, struct vg_web_reply *r)
{
	const struct vg_web_alert *a = vg_web_alerts_get(&w->alerts, arg_u64(c, "id", 0));
	const char *fields = arg(c, "fields");
	struct json_object *env, *want = NULL;
	char err[160], *copy, *save = NULL;

	if (!a) {
		error(r, 404, "no such alert (not raised, or no longer kept)");
		return;
	}
	if (fields) {
		want = json_object_new_array();
		copy = strdup(fields);
		for (char *f = copy ? strtok_r(copy, ",", &save) : NULL; f;
		     f = strtok_r(NULL, ",", &save))
			json_object_array_add(want, json_object_new_string(f));
		free(copy);
	}
	env = json_tokener_parse(a->json);
	r->body = vg_web_mute_propose(env, want, err, sizeof(err));
	json_object_put(env);
	json_object_put(want);
	if (!r->body)
		error(r, 400, err);
}

/* The answers every open page asks for every 2 s, and whose cost grows
 * with the machine (the status walks pH's items map: up to half a second
 * on a large profile set): rendered at most once per period, whatever the
 * number of clients, so clients add almost nothing to the loop's work. */
static const struct {
	const char *path;
	uint64_t period_ns;
	void (*fn)(struct vg_web *w, struct vg_web_reply *r);
} cached[] = {
	{ "/api/overview", 5000000000ull, overview }, /* rates are over 5-10 s anyway */
	{ "/api/processes", 2000000000ull, processes },
	{ "/api/profiles", 2000000000ull, profiles },
	{ "/api/bpf", BPF_CACHE_NS, bpf },
};
_Static_assert(ARRAY_SIZE(cached) <= sizeof(((struct vg_web *)0)->cache) /
							   sizeof(((struct vg_web *)0)->cache[0]),
	       "a cache slot per cached answer");

/* The slot of a cached answer, rendered again when older than its period.
 * Returns its index, or -1 when url is not cached; an error the answer
 * made is left in *err (not kept). */
static int cache_fill(struct vg_web *w, const char *url, struct vg_web_reply *err)
{
	uint64_t now = vg_clock_ns(CLOCK_MONOTONIC);

	for (unsigned i = 0; i < ARRAY_SIZE(cached); i++) {
		struct vg_web_cached *slot = &w->cache[i];
		struct vg_web_reply fresh = { 200, NULL, NULL };
		const char *text;

		if (strcmp(url, cached[i].path))
			continue;
		if (slot->text && now - slot->at_ns < cached[i].period_ns)
			return (int)i;
		cached[i].fn(w, &fresh);
		if (fresh.status != 200 || !fresh.body) {
			*err = fresh; /* errors are not kept */
			return (int)i;
		}
		text = json_object_to_json_string_ext(fresh.body, JSON_C_TO_STRING_PLAIN |
									  JSON_C_TO_STRING_NOSLASHESCAPE);
		free(slot->text);
		slot->text = text ? strdup(text) : NULL;
		slot->at_ns = now;
		json_object_put(fresh.body);
		return (int)i;
	}
	return -1;
}

static int from_cache(struct vg_web *w, const char *url, struct vg_web_reply *r)
{
	int i = cache_fill(w, url, r);

	if (i < 0)
		return 0;
	if (r->status != 200 || r->body)
		return 1;
	r->raw = w->cache[i].text ? strdup(w->cache[i].text) : NULL;
	if (!r->raw)
		error(r, 500, "out of memory");
	return 1;
}

const char *vg_web_api_cached(struct vg_web *w, const char *path)
{
	struct vg_web_reply err = { 200, NULL, NULL };
	int i;

	if (!w->o.ph && !strcmp(path, "/api/profiles"))
		return NULL;
	i = cache_fill(w, path, &err);
	if (i < 0 || err.status != 200 || err.body) {
		json_object_put(err.body);
		free(err.raw);
		return NULL;
	}
	return w->cache[i].text;
}

/* After an action: the next answer shows its effect. */
static void forget_cache(struct vg_web *w)
{
	for (unsigned i = 0; i < ARRAY_SIZE(w->cache); i++) {
		free(w->cache[i].text);
		w->cache[i].text = NULL;
	}
}

void vg_web_api_get(struct vg_web *w, const char *url, struct MHD_Connection *c,
		    struct vg_web_reply *r)
{
	if ((w->o.ph || strcmp(url, "/api/profiles")) && from_cache(w, url, r))
		return;
	if (!strcmp(url, "/api/session"))
		session(w, r);
	else if (!strcmp(url, "/api/alerts"))
		alerts(w, c, r);
	else if (!strncmp(url, "/api/alerts/", 12))
		alert_one(w, strtoull(url + 12, NULL, 10), r);
	else if (!strcmp(url, "/api/profile") && w->o.ph)
		profile_show(w, c, r);
	else if (!strcmp(url, "/api/profile/heatmap") && w->o.ph)
		heatmap(w, c, r);
	else if (!strcmp(url, "/api/mute") && w->o.overrides)
		mute_preview(w, c, r);
	else
		error(r, 404, "no such API path (docs/dashboard.md lists them)");
}

/* ---- POST ---- */

/* {"action": normalize|sensitize|tolerize|reset, "exe": "/abs/path"} */
static void profile_action(struct vg_web *w, struct json_object *body, struct vg_web_reply *r)
{
	struct json_object *action, *exe, *args;
	const char *a;

	if (!json_object_object_get_ex(body, "action", &action) ||
	    !json_object_object_get_ex(body, "exe", &exe) ||
	    !json_object_is_type(exe, json_type_string)) {
		error(r, 400, "give \"action\" and \"exe\"");
		return;
	}
	a = json_object_get_string(action);
	if (!a || (strcmp(a, "normalize") && strcmp(a, "sensitize") && strcmp(a, "tolerize") &&
		   strcmp(a, "reset"))) {
		error(r, 400, "action: normalize, sensitize, tolerize or reset");
		return;
	}
	args = json_object_new_object();
	json_object_object_add(args, "action", json_object_new_string(a));
	json_object_object_add(args, "exe", json_object_get(exe));
	command_reply(w, "profile", args, r);
	json_object_put(args);
	forget_cache(w);
}

/* {"id": N, "fields": [...]}: the proposal the page showed, appended to
 * the overrides file, then the rules reloaded. */
static void mute(struct vg_web *w, struct json_object *body, struct vg_web_reply *r)
{
	struct json_object *id, *fields = NULL, *env, *prop, *yaml;
	const struct vg_web_alert *a;
	char err[256] = "";
	int ret;

	if (!json_object_object_get_ex(body, "id", &id) || !json_object_is_type(id, json_type_int)) {
		error(r, 400, "give the alert's \"id\"");
		return;
	}
	json_object_object_get_ex(body, "fields", &fields);
	a = vg_web_alerts_get(&w->alerts, json_object_get_uint64(id));
	if (!a) {
		error(r, 404, "no such alert (not raised, or no longer kept)");
		return;
	}
	env = json_tokener_parse(a->json);
	prop = vg_web_mute_propose(env, fields, err, sizeof(err));
	json_object_put(env);
	if (!prop) {
		error(r, 400, err);
		return;
	}
	json_object_object_get_ex(prop, "yaml", &yaml);
	ret = vg_web_mute_append(w->o.overrides, json_object_get_string(yaml), w->o.rules_files,
				 w->o.nrules_files, w->o.check_rules, err, sizeof(err));
	if (ret) {
		json_object_put(prop);
		error(r, 400, err);
		return;
	}
	w->mutes++;
	forget_cache(w);
	ret = w->o.reload_rules ? w->o.reload_rules(w->o.ctx) : -ENOSYS;
	json_object_object_add(prop, "file", json_object_new_string(w->o.overrides));
	json_object_object_add(prop, "reloaded", json_object_new_boolean(ret == 0));
	r->body = prop;
}

void vg_web_api_post(struct vg_web *w, const char *url, struct json_object *body,
		     struct vg_web_reply *r)
{
	if (!strcmp(url, "/api/profile") && w->o.ph)
		profile_action(w, body, r);
	else if (!strcmp(url, "/api/mute") && w->o.overrides)
		mute(w, body, r);
	else
		error(r, 404, "no such action");
}
