/* A picture of a pH profile: which call follows which. From the profile's
 * lookahead pairs (earlier call, distance, call) in its training and test
 * data: for each (earlier, call), the shortest distance learnt (1: the very
 * next call). A 12-gram profile (the default model) stores hashes that
 * do not name their calls: its picture comes from the call-pair sketch the
 * kernel keeps beside it (include/vigil/ph_sketch.h), pairs at distance 1
 * with a stated false-positive rate. */
#ifndef VIGIL_WEB_WEB_HEATMAP_H
#define VIGIL_WEB_WEB_HEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "ph/ph_kernel.h"

/* {"calls":[names...], "follows":[[from, to, distance], ...] (indexes into calls),
 *  "pairs": N, "ngrams": N, "source": "pairs" | "sketch" | "none"}, and from a
 * sketch "notes", "fill", "false_positive", "sketch_bytes". Returns NULL with
 * err filled. */
struct json_object *vg_web_heatmap(struct vg_ph_kernel *ph, uint64_t dev, uint64_t ino,
				   char *err, size_t errlen);

#endif
