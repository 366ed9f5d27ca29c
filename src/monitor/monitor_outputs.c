/* The monitor's side of the outputs: which ones run (--output, plus the
 * classic standard output or --output-file), their lines in the stats
 * report, and a warning as soon as one drops alerts. */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "monitor/monitor_outputs.h"
#include "util/log.h"
#include "util/macros.h"

/* One line per output: what it holds, delivered, dropped, failed. */
void vg_monitor_outputs_report(struct vg_outputs *outs, const char *what)
{
	struct vg_output_stats st;
	char line[512];

	for (unsigned i = 0; !vg_outputs_stats(outs, i, &st); i++) {
		vg_output_stats_format(line, sizeof(line), &st);
		fprintf(stderr, "vigil: %s output %s\n", what, line);
	}
}

/* A drop is warned about when it happens (at most every 10 s), not only
 * in the next stats line. */
void vg_monitor_outputs_warn(struct vg_outputs *outs, uint64_t now, struct vg_drop_warn *w)
{
	struct vg_output_stats st;
	uint64_t total = 0;

	if (now < w->next)
		return;
	for (unsigned i = 0; !vg_outputs_stats(outs, i, &st); i++) {
		total += st.dropped;
		/* a new failure is said with its cause, whether or not it lost
		 * alerts yet (a retry may still deliver them) */
		if (i < VG_DROP_WARN_OUTPUTS && st.last_error_seq != w->error_seq[i]) {
			vg_warn("output %s failed: %s", st.name, st.last_error);
			w->error_seq[i] = st.last_error_seq;
		}
	}
	if (total == w->warned)
		return;
	for (unsigned i = 0; !vg_outputs_stats(outs, i, &st); i++)
		if (st.dropped)
			vg_warn("output %s has dropped %llu alerts (%s)", st.name,
				(unsigned long long)st.dropped,
				st.last_error[0] ? st.last_error : "queue full");
	w->warned = total;
	w->next = now + 10 * NSEC_PER_SEC;
}

int vg_monitor_outputs_open(struct vg_outputs **outs, struct vg_output_conf *const *named,
			    unsigned nnamed, const char *output_file, bool json, const char *hostname)
{
	struct vg_output_conf *confs[VG_OUTPUTS_MAX], *classic = NULL;
	unsigned n = 0;
	char err[512] = "";
	int ret = 0;

	for (unsigned i = 0; i < nnamed && n < VG_OUTPUTS_MAX - 1; i++)
		confs[n++] = named[i];
	if (!nnamed || output_file) {
		ret = vg_output_conf_new(&classic, output_file ? "file" : "stdout", err, sizeof(err));
		if (!ret && output_file)
			ret = vg_output_conf_set(classic, "path", output_file, err, sizeof(err));
		if (!ret)
			ret = vg_output_conf_set(classic, "format", json ? "json" : "text", err,
						 sizeof(err));
		/* It used to block the reader when slow: give it more room. */
		if (!ret)
			ret = vg_output_conf_set(classic, "queue", "100000", err, sizeof(err));
		if (!ret)
			ret = vg_output_conf_set(classic, "queue_bytes", "256M", err, sizeof(err));
		if (!ret)
			ret = vg_output_conf_check(classic, err, sizeof(err));
		if (!ret)
			confs[n++] = classic;
	}
	if (!ret)
		ret = vg_outputs_open(outs, confs, n, &(struct vg_outputs_opts){ hostname, NULL },
				      err, sizeof(err));
	if (ret)
		vg_err("cannot open the outputs: %s", err);
	vg_output_conf_free(classic);
	return ret;
}

int vg_monitor_outputs_status(void *ctx, struct json_object *sec)
{
	struct vg_outputs *outs = ctx;
	unsigned n = vg_outputs_count(outs);

	for (unsigned i = 0; i < n; i++) {
		struct vg_output_stats st;
		struct json_object *o;

		if (vg_outputs_stats(outs, i, &st))
			continue;
		o = json_object_new_object();
		if (!o)
			return -ENOMEM;
		json_object_object_add(o, "type", json_object_new_string(st.type));
		json_object_object_add(o, "queued", json_object_new_uint64(st.queued));
		json_object_object_add(o, "sent", json_object_new_uint64(st.sent));
		json_object_object_add(o, "dropped", json_object_new_uint64(st.dropped));
		json_object_object_add(o, "errors", json_object_new_uint64(st.errors));
		json_object_object_add(o, "retries", json_object_new_uint64(st.retries));
		if (st.last_error[0])
			json_object_object_add(o, "last_error",
					       json_object_new_string(st.last_error));
		json_object_object_add(sec, st.name, o);
	}
	return 0;
}
