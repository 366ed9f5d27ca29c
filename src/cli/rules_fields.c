/* vigil rules fields [--json]: every field a rule condition or output may
 * name, from the registry (src/rules/fields.h), with its type, the argument
 * it takes, the family that extracts it (src/fields/) and what it means.
 * docs/fields.md is generated from the --json form (scripts/gen_fields_doc.py). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli/rules_fields.h"
#include "fields/extract.h"
#include "rules/fields.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vigil rules fields [--json]\n"
		   "  list every field rules may use: name, type, description\n"
		   "  --json  as a JSON array (name, type, arg, family, multi, list, nodata,\n"
		   "          description)\n");
}

/* How the field takes its argument: "[N]", ".NAME", "[N] or .NAME"; "" none. */
static const char *arg_form(const struct vg_field *f)
{
	bool idx = f->flags & VG_FA_INDEX, name = f->flags & VG_FA_NAME;

	if (idx && name)
		return "[N] or .NAME";
	if (idx)
		return "[N]";
	return name ? ".NAME" : "";
}

static void print_text(void)
{
	const struct vg_field *t = vg_field_table();

	printf("%-42s %-7s %s\n", "FIELD", "TYPE", "DESCRIPTION");
	for (unsigned i = 0; i < VG_F__COUNT; i++) {
		char name[96];

		snprintf(name, sizeof(name), "%s%s", t[i].name,
			 t[i].flags & VG_FA_INDEX ? "[N]" : t[i].flags & VG_FA_NAME ? ".NAME" : "");
		printf("%-42s %-7s %s%s\n", name, vg_ftype_name(t[i].type), t[i].desc,
		       t[i].flags & VG_FF_NODATA ? " (vigil records nothing for it: always absent)"
						 : "");
	}
}

static int print_json(void)
{
	const struct vg_field *t = vg_field_table();
	json_object *arr = json_object_new_array();

	for (unsigned i = 0; i < VG_F__COUNT; i++) {
		json_object *o = json_object_new_object();
		const char *fam = vg_field_family(t[i].id);

		json_object_object_add(o, "name", json_object_new_string(t[i].name));
		json_object_object_add(o, "type", json_object_new_string(vg_ftype_name(t[i].type)));
		json_object_object_add(o, "arg", json_object_new_string(arg_form(&t[i])));
		json_object_object_add(o, "arg_required",
				       json_object_new_boolean(t[i].flags & VG_FA_REQ));
		json_object_object_add(o, "family", fam ? json_object_new_string(fam) : NULL);
		json_object_object_add(o, "multi", json_object_new_boolean(t[i].flags & VG_FF_ANY));
		json_object_object_add(o, "list", json_object_new_boolean(t[i].flags & VG_FF_LIST));
		json_object_object_add(o, "nodata",
				       json_object_new_boolean(t[i].flags & VG_FF_NODATA));
		json_object_object_add(o, "description", json_object_new_string(t[i].desc));
		json_object_array_add(arr, o);
	}
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return 0;
}

int vg_cmd_rules_fields(int argc, char **argv)
{
	bool json = false;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vigil rules fields: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (json)
		return print_json();
	print_text();
	return 0;
}
