/* "Mute similar": a Falco exception for the rule of an alert, on the values
 * of some of its fields, appended to a local overrides rules file
 *
 *   - rule: "Sensitive file read by untrusted program"
 *     exceptions:
 *       - name: dashboard_12
 *         fields: [proc.exepath, fd.name]
 *         comps: [=, =]
 *         values:
 *           - ["/usr/bin/cat", "/etc/shadow"]
 *     override:
 *       exceptions: append
 *
 * The fields come from a fixed list (never from the client), the values
 * from the alert as vigil raised it, quoted as JSON strings (which YAML
 * reads as double-quoted scalars), so no alert content can add YAML. The
 * new file is checked by loading the whole rule set with it before it
 * replaces the old one (rename), so a mute never breaks the rules. */
#ifndef VIGIL_WEB_WEB_MUTE_H
#define VIGIL_WEB_WEB_MUTE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define VG_WEB_MUTE_FIELDS_MAX 6

/* A proposal for the alert (its envelope from web_alerts): {"rule", "id",
 * "candidates": [{"field","value"}...], "fields": [chosen...], "yaml"}.
 * want: field names the user picked (NULL: the default pick). Returns
 * NULL with err filled when the alert cannot be muted. */
struct json_object *vg_web_mute_propose(struct json_object *envelope, struct json_object *want,
					char *err, size_t errlen);
/* The overrides file exists as a regular file (created with a comment when
 * missing; a symlink is refused). Returns 0 or a negative errno. */
int vg_web_mute_prepare(const char *path, char *err, size_t errlen);
/* Loads the rule files as a reload would (printing their diagnostics);
 * returns 0 when they would run. The monitor gives it: the web server
 * sits below the detection that loads rules. */
typedef int (*vg_web_rules_check_fn)(const char *const *files, unsigned nfiles);

/* Appends yaml to the overrides file, after checking with check that
 * rules_files (whose last entry is the overrides file) load with it.
 * Returns 0 or a negative errno with err filled; the file is unchanged on
 * error. */
int vg_web_mute_append(const char *path, const char *yaml, const char *const *rules_files,
		       unsigned nrules_files, vg_web_rules_check_fn check, char *err,
		       size_t errlen);

#endif
