/* The field registry and the extractors agree: every field of the registry
 * has exactly one extractor in one family's table, or is marked VG_FF_NODATA
 * (Falco's field, nothing recorded for it) and has none; every family's
 * fields start with the family's prefix. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fields/fx.h"
#include "util/macros.h"

static void test_one_extractor_each(void)
{
	unsigned nfam, count[VG_F__COUNT] = { 0 };
	const struct vg_fx_family *const *fam = vg_fx_families(&nfam);

	CHECK(nfam >= 10);
	for (unsigned f = 0; f < nfam; f++) {
		CHECK(fam[f]->n > 0);
		for (unsigned i = 0; i < fam[f]->n; i++) {
			CHECK((unsigned)fam[f]->fx[i].id < VG_F__COUNT);
			CHECK(fam[f]->fx[i].get != NULL);
			if ((unsigned)fam[f]->fx[i].id < VG_F__COUNT)
				count[fam[f]->fx[i].id]++;
		}
	}
	for (unsigned id = 0; id < VG_F__COUNT; id++) {
		const struct vg_field *d = vg_field_by_id((enum vg_field_id)id);
		unsigned want = d->flags & VG_FF_NODATA ? 0 : 1;

		if (count[id] != want)
			fprintf(stderr, "%s: %u extractors, expected %u\n", d->name, count[id], want);
		CHECK_INT(count[id], want);
	}
}

/* A family holds the fields of its name: an evt.* extractor in the fd
 * family would be a field in the wrong home. */
static void test_family_prefixes(void)
{
	static const struct {
		const struct vg_fx_family *fam;
		const char *prefixes;
	} homes[] = {
		{ &vg_fx_evt, "evt." },
		{ &vg_fx_args, "evt.arg evt.rawarg evt.args" },
		{ &vg_fx_proc, "proc." },
		{ &vg_fx_lineage, "proc." },
		{ &vg_fx_thread, "thread." },
		{ &vg_fx_user, "user. group. container." },
		{ &vg_fx_fd, "fd. fs.path." },
		{ &vg_fx_bpf, "bpf. probe." },
		{ &vg_fx_facts, "vigil." },
		{ &vg_fx_stdio, "proc.std vigil.std" },
		{ &vg_fx_drops, "vigil.exe." },
		{ &vg_fx_uring, "evt.is_io_uring vigil.io_uring" },
		{ &vg_fx_record, "vigil." },
	};

	for (size_t h = 0; h < ARRAY_SIZE(homes); h++)
		for (unsigned i = 0; i < homes[h].fam->n; i++) {
			const char *name = vg_field_by_id(homes[h].fam->fx[i].id)->name;
			char list[128], *save = NULL, *p;
			int ok = 0;

			snprintf(list, sizeof(list), "%s", homes[h].prefixes);
			for (p = strtok_r(list, " ", &save); p; p = strtok_r(NULL, " ", &save))
				ok |= !strncmp(name, p, strlen(p));
			if (!ok)
				fprintf(stderr, "%s in family %s\n", name, homes[h].fam->name);
			CHECK(ok);
		}
}

int main(void)
{
	test_one_extractor_each();
	test_family_prefixes();
	return check_report();
}
