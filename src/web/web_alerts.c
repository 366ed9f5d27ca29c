/* The last alerts, for the dashboard (see web_alerts.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web_alerts.h"

const char *const vg_web_priority_names[VG_WEB_PRIORITIES] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

int vg_web_priority_index(const char *name)
{
	for (int i = 0; i < VG_WEB_PRIORITIES; i++)
		if (name && !strcasecmp(name, vg_web_priority_names[i]))
			return i;
	return VG_WEB_PRIORITIES - 1;
}

void vg_web_alerts_init(struct vg_web_alerts *s)
{
	memset(s, 0, sizeof(*s));
	s->next_id = 1;
}

void vg_web_alerts_free(struct vg_web_alerts *s)
{
	for (unsigned i = 0; i < VG_WEB_ALERTS_MAX; i++)
		free(s->ring[i].json);
	memset(s->ring, 0, sizeof(s->ring));
}

/* The process and its ancestors, as the table knows them now (the alert
 * was just raised, so they are the ones the rule saw). */
static struct json_object *ancestry(struct vg_proctable *procs, uint32_t pid)
{
	struct json_object *list = json_object_new_array();
	struct vg_proc *p = procs ? vg_pt_lookup(procs, pid) : NULL;
	char cmdline[256]; /* cut: the ancestry is for finding one's way, the alert has the rest */

	for (unsigned depth = 0; p && list && depth < 16; depth++) {
		struct json_object *o = json_object_new_object();

		if (!o)
			break;
		vg_proc_cmdline(p, cmdline, sizeof(cmdline));
		json_object_object_add(o, "pid", json_object_new_int64(p->pid));
		json_object_object_add(o, "comm", json_object_new_string(p->comm));
		json_object_object_add(o, "exe", json_object_new_string(p->img->exe));
		json_object_object_add(o, "cmdline", json_object_new_string(cmdline));
		json_object_object_add(o, "uid", json_object_new_int64(p->uid));
		json_object_array_add(list, o);
		if (p->pid <= 1)
			break;
		p = vg_pt_ancestor(procs, p, 1);
	}
	return list;
}

static void count(struct vg_web_alerts *s, uint64_t time_ns, int prio)
{
	uint64_t minute = time_ns / 60000000000ull;
	unsigned row = (unsigned)(minute % VG_WEB_MINUTES);

	if (s->minute[row] != minute) {
		s->minute[row] = minute;
		memset(s->by_minute[row], 0, sizeof(s->by_minute[row]));
	}
	s->by_minute[row][prio]++;
	s->by_priority[prio]++;
}

void vg_web_alerts_add(struct vg_web_alerts *s, const struct vg_alert *a,
		       struct vg_proctable *procs)
{
	char *falco = vg_alert_json(a);
	struct json_object *alert = falco ? json_tokener_parse(falco) : NULL;
	struct json_object *env = json_object_new_object(), *fields = NULL, *pidv, *inov;
	struct vg_web_alert *slot = &s->ring[s->next_id % VG_WEB_ALERTS_MAX];
	uint32_t pid = 0;
	uint64_t ph_ino = 0;
	const char *text;

	count(s, a->time_ns, vg_web_priority_index(a->priority));
	free(falco);
	if (!alert || !env) {
		json_object_put(alert);
		json_object_put(env);
		return; /* out of memory: counted, not kept */
	}
	if (json_object_object_get_ex(alert, "output_fields", &fields) &&
	    json_object_object_get_ex(fields, "proc.pid", &pidv))
		pid = (uint32_t)json_object_get_int64(pidv);
	if (fields && json_object_object_get_ex(fields, "ph.exe_ino", &inov))
		ph_ino = json_object_is_type(inov, json_type_string)
				 ? strtoull(json_object_get_string(inov), NULL, 10)
				 : json_object_get_uint64(inov);
	json_object_object_add(env, "id", json_object_new_uint64(s->next_id));
	json_object_object_add(env, "alert", alert);
	json_object_object_add(env, "ancestry", ancestry(procs, pid));
	text = json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	free(slot->json);
	slot->json = text ? strdup(text) : NULL;
	slot->id = s->next_id++;
	slot->pid = pid;
	slot->ph_ino = ph_ino;
	json_object_put(env);
}

const struct vg_web_alert *vg_web_alerts_get(const struct vg_web_alerts *s, uint64_t id)
{
	const struct vg_web_alert *a = &s->ring[id % VG_WEB_ALERTS_MAX];

	return id && a->id == id && a->json ? a : NULL;
}

unsigned vg_web_alerts_of_pid(const struct vg_web_alerts *s, uint32_t pid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VG_WEB_ALERTS_MAX; i++)
		n += s->ring[i].json && s->ring[i].pid == pid;
	return n;
}

struct json_object *vg_web_alerts_history(const struct vg_web_alerts *s, uint64_t now_s)
{
	struct json_object *h = json_object_new_object(), *mins = json_object_new_array();
	struct json_object *series[VG_WEB_PRIORITIES];
	uint64_t last = now_s / 60;

	if (!h || !mins) {
		json_object_put(h);
		json_object_put(mins);
		return NULL;
	}
	for (int p = 0; p < VG_WEB_PRIORITIES; p++)
		series[p] = json_object_new_array();
	for (uint64_t m = last - (VG_WEB_MINUTES - 1); m <= last; m++) {
		unsigned row = (unsigned)(m % VG_WEB_MINUTES);

		json_object_array_add(mins, json_object_new_uint64(m * 60));
		for (int p = 0; p < VG_WEB_PRIORITIES; p++)
			json_object_array_add(series[p], json_object_new_uint64(
							 s->minute[row] == m ? s->by_minute[row][p] : 0));
	}
	json_object_object_add(h, "minutes", mins);
	for (int p = 0; p < VG_WEB_PRIORITIES; p++)
		json_object_object_add(h, vg_web_priority_names[p], series[p]);
	return h;
}
