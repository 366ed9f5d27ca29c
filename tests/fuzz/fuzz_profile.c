/* Fuzz the pH profile file decoder (tests/fuzz/corpus/profile/). The
 * first byte is a mode, the rest the file: with bit 0 set, the last four
 * bytes are replaced by the right crc32 first, so that mutations reach the
 * checks behind the checksum. Whatever the bytes, decoding must not crash,
 * must name the problem when it refuses, and what it accepts must pass its
 * own checks again: every item inside the file, of a generation the
 * profile uses, and of the kind its number says. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ph/ph_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ph_file_meta expect = { .model = PH_MODEL_NGRAM, .window = 9, .ngram = 12 };
	struct ph_file_meta meta;
	struct ph_profile prof;
	struct ph_file_item it;
	const char *why = NULL;
	const void *items;
	uint8_t *file;
	size_t n;
	int ret;

	if (size < 1)
		return 0;
	file = malloc(size - 1 ? size - 1 : 1);
	if (!file)
		return 0;
	memcpy(file, data + 1, size - 1);
	size--;
	if ((data[0] & 1) && size >= 4) {
		uint32_t crc = (uint32_t)crc32(0L, file, (uInt)(size - 4));

		memcpy(file + size - 4, &crc, 4);
	}
	ret = ph_file_decode(file, size, &expect, &meta, &prof, &items, &n, &why);
	if (ret) {
		if (!why || !why[0])
			abort();
		free(file);
		return 0;
	}
	if (n > PH_FILE_MAX_ITEMS || strlen(meta.exe) >= sizeof(meta.exe))
		abort();
	if ((const uint8_t *)items + n * sizeof(it) > file + size)
		abort();
	for (size_t i = 0; i < n; i++) {
		memcpy(&it, (const char *)items + i * sizeof(it), sizeof(it));
		if (it.gen != prof.train_gen && it.gen != prof.test_gen)
			abort();
		if (it.kind != ph_item_kind(it.item))
			abort();
	}
	free(file);
	return 0;
}
